using Akka.Actor;
using Microsoft.Data.Sqlite;
using Scheduler.Agent.Journal;
using Scheduler.Agent.Processes;
using Scheduler.Agent.Tasks;
using Scheduler.Agent.Tests.Support;
using Scheduler.Contracts;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Tasks;
using Scheduler.Hosting.Persistence;
using Xunit.Abstractions;

namespace Scheduler.Agent.Tests.Tasks;

/// <summary>Reads of an SQLite journal (recoveries, the forwarder's polls) never queue behind its writer.</summary>
public sealed class SqliteJournalReadSpecs(ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(AgentTestSystem.Setup(AgentTestSystem.NewDir()), "sqlite-journal-read-specs", output)
{
    [Fact]
    public async Task A_read_of_the_journal_should_not_wait_for_a_writer_holding_the_file()
    {
        var dir = Sys.Settings.Config.GetString("test.dir");
        var settings = AgentTestSystem.Settings(dir);
        await AgentTestSystem.JournalFailedStartAsync(Sys, dir, "t1");

        // Another connection takes the write lock and keeps it, as the journal's writer does while it commits a batch.
        await using var writer = new SqliteConnection(AgentJournalFile.ConnectionString(Path.Combine(dir, "journal.db")));
        writer.Open();
        await using var hold = writer.CreateCommand();
        hold.CommandText = "BEGIN IMMEDIATE;";
        hold.ExecuteNonQuery();

        // Opened with BEGIN IMMEDIATE, a read would wait for the lock until Microsoft.Data.Sqlite's 30 s command timeout.
        var events = await Task.Run(() => TaskEventReader.Of(Sys).ReadAll()).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["TaskAccepted", "TaskFailedToStart"], events.Select(e => e.Event.GetType().Name));

        // A supervisor's recovery replays through the journal plugin's own reads: they do not wait either.
        var again = Sys.ActorOf(TaskSupervisorActor.Props("t1", settings.Name, settings, new ProcessTable(), TimeProvider.System));
        var log = await again.Ask<TaskLogChunk>(new FetchTaskLog(1, "t1", 0, 100), TimeSpan.FromSeconds(10));
        Assert.True(log.Complete); // replayed: the task is final, so is its log
    }
}
