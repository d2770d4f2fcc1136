using System.Data.Common;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Persistence.Sql.Config;
using LinqToDB;
using LinqToDB.Interceptors;
using Microsoft.Data.Sqlite;

namespace Scheduler.Hosting.Persistence;

/// <summary>
/// Akka.Persistence.Sql on one SQLite file: journal, snapshot store and query plugin. WAL mode is set
/// once on the file before the ActorSystem starts and <c>synchronous=NORMAL</c> on every connection
/// (DESIGN.md: ~1.1k → ~5k persists/s on this machine kind).
/// </summary>
public static class SqliteJournal
{
    public const string ProviderName = "SQLite.MS";

    public static string ConnectionString(string path) =>
        new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();

    /// <summary>Creates the folder and the file if needed and switches the file to WAL mode.</summary>
    public static void Prepare(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var connection = new SqliteConnection(ConnectionString(path));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Reads in deferred transactions. Akka.Persistence.Sql's default read isolation (unspecified) makes
    /// Microsoft.Data.Sqlite open every read with <c>BEGIN IMMEDIATE</c>, which takes the file's write lock: each
    /// task supervisor's recovery, each by-tag poll of the journal forwarder and each highest-sequence read then
    /// queued behind the writers, and a refused lock costs a retry sleep in Microsoft.Data.Sqlite. Read-uncommitted is
    /// the one level it opens with a plain <c>BEGIN</c>; without a shared cache it reads committed data only, and in WAL
    /// mode readers neither wait for nor block the writer (measured in docs/decisions.md, issue 8).
    /// </summary>
    public static Config Hocon(string path, TimeSpan refreshInterval) =>
        ConfigurationFactory.ParseString("""
            akka.persistence.journal.sql.read-isolation-level = read-uncommitted
            akka.persistence.snapshot-store.sql.read-isolation-level = read-uncommitted
            akka.persistence.query.journal.sql.read-isolation-level = read-uncommitted
            """).WithFallback(SqlPersistenceHocon.For(ProviderName, ConnectionString(path), refreshInterval));

    /// <summary>The setup that makes every connection of the plugins use <c>synchronous=NORMAL</c>.</summary>
    public static Setup DataOptions(string path) =>
        new DataOptionsSetup(new DataOptions()
            .UseConnectionString(ProviderName, ConnectionString(path))
            .UseInterceptor(new SynchronousNormal()));

    private sealed class SynchronousNormal : ConnectionInterceptor
    {
        public override void ConnectionOpened(ConnectionEventData eventData, DbConnection connection) => Apply(connection);

        public override Task ConnectionOpenedAsync(ConnectionEventData eventData, DbConnection connection, CancellationToken cancellationToken)
        {
            Apply(connection);
            return Task.CompletedTask;
        }

        private static void Apply(DbConnection connection)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous=NORMAL;";
            command.ExecuteNonQuery();
        }
    }
}
