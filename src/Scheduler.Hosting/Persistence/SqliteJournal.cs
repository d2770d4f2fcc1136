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

    /// <summary>SQLite's result codes for a damaged file (SQLITE_CORRUPT) and for a file that is no database (SQLITE_NOTADB).</summary>
    private const int Corrupt = 11;
    private const int NotADatabase = 26;

    private static readonly byte[] Header = "SQLite format 3\0"u8.ToArray();

    /// <summary>
    /// The tables a node creates in its journal file (Akka.Persistence.Sql's journal, metadata, tag and snapshot tables,
    /// SQLite's autoincrement counter, a master's history), one plugin after the other on the first start.
    /// </summary>
    private static readonly string[] OwnTables =
        ["journal", "journal_metadata", "tags", "snapshot", "sqlite_sequence", Master.History.TaskHistoryStore.Table];

    /// <summary>
    /// Creates the folder and the file if needed and switches the file to WAL mode. An existing file is checked first
    /// (<see cref="Refusal"/>) and, when it is not this node's kind of journal, never written to.
    /// </summary>
    /// <exception cref="ConfigurationException">The file is corrupt, no SQLite database, or another program's or node kind's.</exception>
    public static void Prepare(string path, JournalOwner owner = JournalOwner.Any)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (Refusal(path, owner) is { } refusal)
        {
            throw new ConfigurationException(refusal);
        }

        using var connection = new SqliteConnection(ConnectionString(path));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Null when <paramref name="path"/> is missing, empty or a journal <paramref name="owner"/> may use; else one line
    /// naming the file and what is wrong with it. Reads only: header, schema, and for an agent (whose journal is small:
    /// released tasks are deleted) SQLite's <c>quick_check</c> of every page. A master's file is checked page by page
    /// as it is read instead (<see cref="CorruptionOf"/>), so a large history does not slow its start.
    /// </summary>
    public static string? Refusal(string path, JournalOwner owner)
    {
        var file = new FileInfo(path);
        if (!file.Exists || file.Length == 0)
        {
            return null;
        }

        var start = new byte[Header.Length];
        using (var stream = file.OpenRead())
        {
            stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        }

        if (!start.AsSpan().SequenceEqual(Header))
        {
            return Refused(path, "is not a SQLite database (corrupt, or another program's file)");
        }

        try
        {
            using var connection = new SqliteConnection(
                new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            var tables = Strings(connection, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
            // Only our own tables, even without the journal table yet: a first start that stopped between creating them.
            if (!tables.Contains("journal") && tables.Except(OwnTables).Any())
            {
                return Refused(path, $"is a SQLite database but no scheduler journal (its tables: {string.Join(", ", tables.Take(5))})");
            }

            if (owner == JournalOwner.Agent && tables.Contains(Master.History.TaskHistoryStore.Table))
            {
                return Refused(path, "is a master's journal, not an agent's");
            }

            if (owner == JournalOwner.Master && tables.Contains("journal")
                // A range on the persistence id index: no scan of a large journal.
                && Strings(connection, "SELECT persistence_id FROM journal WHERE persistence_id >= 'task-' AND persistence_id < 'task.' LIMIT 1").Count > 0)
            {
                return Refused(path, "is an agent's journal, not a master's");
            }

            if (owner == JournalOwner.Agent && Strings(connection, "PRAGMA quick_check(3)") is var problems && problems is not ["ok"])
            {
                return Refused(path, $"is corrupt (SQLite quick_check: {string.Join("; ", problems)})");
            }
        }
        catch (SqliteException e) when (e.SqliteErrorCode is Corrupt or NotADatabase)
        {
            return Refused(path, $"is corrupt ({e.Message})");
        }

        return null;
    }

    /// <summary>
    /// When <paramref name="error"/> (or an exception inside it) is SQLite saying the file is damaged or no database:
    /// one line naming <paramref name="path"/> saying so — not an outage, so retrying cannot help; else null.
    /// </summary>
    public static string? CorruptionOf(string path, Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is AggregateException { InnerExceptions: var inner })
            {
                return inner.Select(i => CorruptionOf(path, i)).FirstOrDefault(c => c is not null);
            }

            if (e is SqliteException { SqliteErrorCode: Corrupt or NotADatabase } sqlite)
            {
                return $"journal file '{path}' is corrupt ({sqlite.Message}); this is not an outage and retrying will not help: "
                       + "the master writes nothing to it — stop it, then restore a backup or repair the file (sqlite3 FILE .recover)";
            }
        }

        return null;
    }

    private static string Refused(string path, string problem) =>
        $"journal file '{path}' {problem}; the node leaves it untouched: restore a backup, or move it aside to start with an empty journal";

    private static List<string> Strings(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
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

/// <summary>Which kind of node a journal file is for: each refuses the other's file.</summary>
public enum JournalOwner
{
    Any,
    Master,
    Agent,
}
