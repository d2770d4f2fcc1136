using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Scheduler.Hosting.Persistence;

namespace Scheduler.Benchmarks.Adoption;

/// <summary>
/// The floor under adoption on this machine: read the agent journal's rows in order with a raw SELECT and
/// write them to a fresh SQLite file (WAL, synchronous=NORMAL, like the journals) in batches of the agent's
/// replay batch size, one transaction per batch. No actors, no serialization, no network.
/// </summary>
public static class RawCopyBaseline
{
    public static (long Rows, TimeSpan Elapsed) Run(string journalPath, string copyPath, int batchSize)
    {
        SqliteJournal.Prepare(copyPath);
        using var source = Open(journalPath);
        using var target = Open(copyPath);
        Execute(target, "PRAGMA synchronous=NORMAL;");
        Execute(target, Scalar(source, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'journal'"));

        var clock = Stopwatch.StartNew();
        using var select = source.CreateCommand();
        select.CommandText = "SELECT * FROM journal ORDER BY ordering";
        using var reader = select.ExecuteReader();
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        using var insert = target.CreateCommand();
        insert.CommandText = $"INSERT INTO journal ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "$p" + i))})";
        var parameters = columns.Select((_, i) => insert.Parameters.Add(new SqliteParameter("$p" + i, null))).ToList();

        long rows = 0;
        var transaction = target.BeginTransaction();
        insert.Transaction = transaction;
        while (reader.Read())
        {
            for (var i = 0; i < parameters.Count; i++)
            {
                parameters[i].Value = reader.GetValue(i);
            }

            insert.ExecuteNonQuery();
            if (++rows % batchSize == 0)
            {
                transaction.Commit();
                transaction.Dispose();
                transaction = target.BeginTransaction();
                insert.Transaction = transaction;
            }
        }

        transaction.Commit();
        transaction.Dispose();
        return (rows, clock.Elapsed);
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(SqliteJournal.ConnectionString(path));
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() as string ?? throw new InvalidOperationException($"no answer to: {sql}");
    }
}
