using Microsoft.Data.Sqlite;
using Npgsql;
using Scheduler.Master;

namespace Scheduler.Hosting.Persistence;

/// <summary>Opens a connection of its own (not the plugins' pool) and asks the database one trivial question.</summary>
public sealed class PostgresProbe(string connectionString) : IDatabaseProbe
{
    /// <summary>The journal and the history table share the pool of this exact connection string.</summary>
    public void ResetConnections()
    {
        using var pooled = new NpgsqlConnection(connectionString);
        NpgsqlConnection.ClearPool(pooled);
    }

    private readonly string _connectionString = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Reads the schema of the journal file (its SELECT 1): fails when the file is gone, unreadable or not a database.</summary>
public sealed class SqliteProbe(string path) : IDatabaseProbe
{
    public void ResetConnections()
    {
        using var pooled = new SqliteConnection(SqliteJournal.ConnectionString(path));
        SqliteConnection.ClearPool(pooled);
    }

    private readonly string _connectionString =
        new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString();

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master";
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    public string? CorruptionOf(Exception error) => SqliteJournal.CorruptionOf(path, error);
}
