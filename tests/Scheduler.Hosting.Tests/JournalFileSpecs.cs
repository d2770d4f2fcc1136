using System.Security.Cryptography;
using Akka.Actor;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Scheduler.Agent;
using Scheduler.Contracts.Client;

namespace Scheduler.Hosting.Tests;

/// <summary>
/// A journal file that is not this node's journal — garbage, another program's database, the other node kind's journal,
/// damaged pages — is never written to: a node refuses to start naming the file; a master whose pages turn out damaged
/// while it reads them stops using the file and says so, instead of retrying it as a database outage.
/// </summary>
public sealed class JournalFileSpecs : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "scheduler-journal-specs", Guid.NewGuid().ToString("N")[..10]);

    public JournalFileSpecs()
    {
        Directory.CreateDirectory(AgentDir);
        Directory.CreateDirectory(MasterDir);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private string AgentDir => Path.Combine(_dir, "agent");

    private string AgentJournal => Path.Combine(AgentDir, "journal.db");

    private string MasterDir => Path.Combine(_dir, "master");

    private string MasterJournal => Path.Combine(MasterDir, "journal.db");

    private Config MasterConfig => ConfigurationFactory.ParseString($"scheduler.master.data-dir = \"{MasterDir}\"");

    private ActorSystem StartAgent() => SchedulerNodes.StartAgentSystem(
        ConfigurationFactory.ParseString($"scheduler.agent {{ name = a1, data-dir = \"{AgentDir}\" }}"), "agent.conf", "127.0.0.1", 0,
        TimeProvider.System, new AgentRuntime());

    private ActorSystem StartMaster() => SchedulerNodes.StartMasterSystem(MasterConfig, "master.conf", "127.0.0.1", 0);

    [Fact]
    public void An_agent_should_refuse_a_journal_file_that_is_not_a_database_naming_it_and_leaving_it_untouched()
    {
        File.WriteAllBytes(AgentJournal, RandomNumberGenerator.GetBytes(10_000));
        var before = Hash(AgentJournal);

        var error = Assert.Throws<ConfigurationException>(StartAgent);

        Assert.Equal($"journal file '{AgentJournal}' is not a SQLite database (corrupt, or another program's file); the node leaves it "
                     + "untouched: restore a backup, or move it aside to start with an empty journal", error.Message);
        Assert.Equal(before, Hash(AgentJournal));
    }

    [Fact]
    public void Nodes_should_refuse_another_programs_database_and_the_other_node_kinds_journal()
    {
        Sql(AgentJournal, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('x');");
        var before = Hash(AgentJournal);
        Assert.StartsWith($"journal file '{AgentJournal}' is a SQLite database but no scheduler journal (its tables: customers); ",
            Assert.Throws<ConfigurationException>(StartAgent).Message);
        Assert.Equal(before, Hash(AgentJournal));

        // Data folders mixed up: a master's journal (it has the history table) under an agent, an agent's (task-… ids) under a master.
        File.Delete(AgentJournal);
        Journal(AgentJournal, ["scheduler"], $"CREATE TABLE {Master.History.TaskHistoryStore.Table} (task_id TEXT);");
        Journal(MasterJournal, ["task-t1", "task-t2"]);
        Assert.StartsWith($"journal file '{AgentJournal}' is a master's journal, not an agent's; ", Assert.Throws<ConfigurationException>(StartAgent).Message);
        Assert.StartsWith($"journal file '{MasterJournal}' is an agent's journal, not a master's; ", Assert.Throws<ConfigurationException>(StartMaster).Message);
    }

    [Fact]
    public async Task A_file_with_only_some_of_our_tables_should_be_taken_as_a_first_start_that_stopped_half_way()
    {
        // As if the plugins had created their other tables and the process died before the journal's: the files of a
        // first start with the journal table dropped again.
        await (await StartedMasterAsync()).Terminate();
        await (await StartedAgentAsync()).Terminate();
        SqliteConnection.ClearAllPools();
        Sql(MasterJournal, "DROP TABLE journal;");
        Sql(AgentJournal, "DROP TABLE journal;");

        await (await StartedMasterAsync()).Terminate();
        await (await StartedAgentAsync()).Terminate();
        SqliteConnection.ClearAllPools();

        Assert.Single(Tables(MasterJournal), "journal");
        Assert.Single(Tables(AgentJournal), "journal");
    }

    [Fact]
    public void An_agent_should_refuse_a_journal_with_damaged_pages()
    {
        Journal(AgentJournal, [.. Enumerable.Range(1, 2_000).Select(i => $"task-t{i}")]);
        var pageSize = PageSize(AgentJournal);
        var bytes = File.ReadAllBytes(AgentJournal);
        new Random(9).NextBytes(bytes.AsSpan(pageSize)); // every page after the header and schema
        File.WriteAllBytes(AgentJournal, bytes);
        var before = Hash(AgentJournal);

        var error = Assert.Throws<ConfigurationException>(StartAgent);

        Assert.StartsWith($"journal file '{AgentJournal}' is corrupt (", error.Message);
        Assert.EndsWith("; the node leaves it untouched: restore a backup, or move it aside to start with an empty journal", error.Message);
        Assert.Equal(before, Hash(AgentJournal));
    }

    [Fact]
    public async Task A_master_whose_journal_pages_are_damaged_should_say_the_file_is_corrupt_and_not_retry_it_as_an_outage()
    {
        await (await StartedMasterAsync()).Terminate();
        SqliteConnection.ClearAllPools();
        // The events' page: the start's checks (header, schema, the persistence id index) pass, recovery reads it.
        DamagePage(MasterJournal, "journal");
        var before = Hash(MasterJournal);

        var system = StartMaster();
        try
        {
            var status = await StatusAsync(system, s => s.Database.Summary.Contains("corrupt"), "the status saying corrupt");

            Assert.False(status.Database.Available);
            Assert.StartsWith($"journal file '{MasterJournal}' is corrupt (SQLite Error 11: 'database disk image is malformed'", status.Database.Summary);
            Assert.Contains("this is not an outage and retrying will not help", status.Database.Summary);
            Assert.Null(status.Database.NextAttemptAt);
            var refused = await system.ActorSelection("/user/scheduler-proxy").Ask<RequestFailed>(new GetTask("t1"), TimeSpan.FromSeconds(10));
            Assert.Equal(status.Database.Summary, refused.Message);
        }
        finally
        {
            await system.Terminate();
        }

        SqliteConnection.ClearAllPools();
        Assert.Equal(before, Hash(MasterJournal));
    }

    /// <summary>An agent once its journal plugin has created the journal table (it does so when first asked).</summary>
    private async Task<ActorSystem> StartedAgentAsync()
    {
        var agent = StartAgent();
        for (var deadline = DateTime.UtcNow.AddSeconds(30); !Tables(AgentJournal).Contains("journal"); await Task.Delay(50))
        {
            Assert.True(DateTime.UtcNow < deadline, "the agent created its journal table within 30 s");
        }

        return agent;
    }

    private async Task<ActorSystem> StartedMasterAsync()
    {
        var master = StartMaster();
        await StatusAsync(master, s => s.Database.Available && s.RunId is not null, "the master started");
        return master;
    }

    private static List<string> Tables(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
        using var reader = command.ExecuteReader();
        var tables = new List<string>();
        while (reader.Read())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    private static async Task<MasterStatus> StatusAsync(ActorSystem system, Func<MasterStatus, bool> condition, string what)
    {
        var proxy = system.ActorSelection("/user/scheduler-proxy");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var status = (await proxy.Ask<StatusResult>(GetStatus.Instance, TimeSpan.FromSeconds(10))).Status;
            if (condition(status))
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"never saw {what}; last: {status.Database.Summary}");
            await Task.Delay(100);
        }
    }

    /// <summary>A journal table as Akka.Persistence.Sql's (as far as the checks look) holding these persistence ids.</summary>
    private static void Journal(string path, string[] persistenceIds, string extra = "")
    {
        var rows = string.Join(", ", persistenceIds.Select((id, i) => $"('{id}', {i + 1}, randomblob(200))"));
        Sql(path, "CREATE TABLE journal (ordering INTEGER PRIMARY KEY AUTOINCREMENT, persistence_id TEXT NOT NULL, sequence_number INTEGER NOT NULL, "
                  + $"message BLOB, UNIQUE (persistence_id, sequence_number)); INSERT INTO journal (persistence_id, sequence_number, message) VALUES {rows}; {extra}");
    }

    /// <summary>The root page of <paramref name="table"/> overwritten with random bytes.</summary>
    private static void DamagePage(string path, string table)
    {
        Assert.False(File.Exists(path + "-wal") && new FileInfo(path + "-wal").Length > 0, "the journal was not checkpointed");
        long root;
        using (var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = '{table}'";
            root = (long)command.ExecuteScalar()!;
        }

        var pageSize = PageSize(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.Position = (root - 1) * pageSize;
        file.Write(new Random(9).GetItems<byte>([.. Enumerable.Range(0, 256).Select(b => (byte)b)], pageSize));
    }

    private static int PageSize(string path)
    {
        var header = File.ReadAllBytes(path).AsSpan(16, 2);
        return (header[0] << 8) | header[1];
    }

    private static void Sql(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
