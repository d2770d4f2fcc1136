using System.Data.Common;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;
using Scheduler.Benchmarks.Adoption;
using Scheduler.Hosting.Persistence;
using Scheduler.TestKit;

namespace Scheduler.Benchmarks.Harness;

/// <summary>
/// A Master's configuration on either journal kind: a SQLite file under <c>root/master</c>, or a fresh database on
/// a PostgreSQL server of the benchmark's own (the Master specs' <see cref="PostgresServer"/>).
/// </summary>
public sealed class MasterJournal : IAsyncDisposable
{
    private readonly PostgresServer? _server;

    private MasterJournal(Config hocon, Func<DbConnection> connect, PostgresServer? server)
    {
        Hocon = hocon;
        Connect = connect;
        _server = server;
    }

    /// <summary>The Master's settings (the Master specs' fast timings) on this journal.</summary>
    public Config Hocon { get; }

    /// <summary>A new connection to the Master's database, for baselines and set-up.</summary>
    public Func<DbConnection> Connect { get; }

    public static async Task<MasterJournal> CreateAsync(string kind, string root)
    {
        var dataDir = Path.Combine(root, "master");
        if (kind == "sqlite")
        {
            var path = Path.Combine(dataDir, "journal.db");
            SqliteJournal.Prepare(path);
            var cs = SqliteJournal.ConnectionString(path);
            return new MasterJournal(AdoptionHocon.Master(dataDir), () => new SqliteConnection(cs), null);
        }

        var server = await PostgresServer.StartAsync();
        var connectionString = await server.CreateDatabaseAsync();
        var hocon = ConfigurationFactory.ParseString($"scheduler.master.journal {{ kind = postgresql, connection-string = \"{connectionString}\" }}")
            .WithFallback(AdoptionHocon.Master(dataDir));
        return new MasterJournal(hocon, () => new NpgsqlConnection(connectionString), server);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        SqliteConnection.ClearAllPools();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
