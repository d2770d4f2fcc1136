using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Scheduler.Agent.Journal;
using Scheduler.Contracts;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Journal;
using Scheduler.Contracts.Tasks;
using Scheduler.Master.Tests.Support;
using Scheduler.TestKit;

namespace Scheduler.Master.Tests;

/// <summary>
/// A large journal written during a partition is adopted exactly once. The Master's watch of agents (lost-after) is
/// a minute here, so however long the machine takes to write the backlog, the agent stays Unreachable — neither
/// given up by the Master nor replaced by a new incarnation (which ConnectionLossSpecs cover) while it is cut off.
/// With ConnectionLossSpecs' 4 s the spec depended on writing 10,000 events within 4 s, and failed on a busy machine.
/// </summary>
public sealed class AdoptionSpecs : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestCluster.StartWithAsync("scheduler.master.lost-after = 60s", partitionable: true);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Ten_thousand_events_journaled_during_a_partition_should_be_adopted_exactly_once()
    {
        // A short ack timeout makes the agent send batches again before their acknowledgement arrives:
        // the Master receives duplicates and must adopt each event once.
        await _cluster.StartAgentAsync("a1", extraHocon: "scheduler.agent.replay-ack-timeout = 100ms");
        await _cluster.PartitionAsync("a1");
        await _cluster.WaitForAgentAsync("a1", AgentState.Unreachable);
        var written = await JournalFiller.FillAsync(() => _cluster.Agent("a1"), "bulk", 3_334);
        Assert.Equal(10_002, written);
        await _cluster.WaitForAgentAsync("a1", AgentState.Unreachable); // still: not given up, not replaced

        await _cluster.HealAsync("a1");
        await _cluster.WaitForAgentAsync("a1", AgentState.Connected);

        var agentOffsets = AgentJournalOffsets(_cluster.Agent("a1"));
        var adopted = await OffsetsAsync(_cluster.Master, ReadAdoptedOffsets);
        Assert.Equal(10_002, agentOffsets.Count);
        Assert.Equal(agentOffsets, adopted); // every event, in order, no duplicate, no gap
        // The history holds every task, each once (an answer is limited in bytes, so it is read per task here).
        var history = await _cluster.QueryAsync<TasksResult>(new GetHistory("a1", null, 10_000));
        Assert.Equal(3_334, history.Tasks.Count + history.Omitted);
        Assert.Equal(history.Tasks.Count, history.Tasks.Select(t => t.TaskId).Distinct().Count());
        foreach (var id in new[] { "bulk-000-000", "bulk-017-050", "bulk-033-033" })
        {
            Assert.Equal(TaskState.Succeeded, (await _cluster.QueryAsync<TaskResult>(new GetTask(id))).Task.State);
        }

        Assert.Equal(0, _cluster.AgentHostOf("a1").Replacements);
    }

    /// <summary>Straight from the agent's file, not through the reader the agent streams with.</summary>
    private static List<long> AgentJournalOffsets(ActorSystem agent)
    {
        using var connection = AgentJournalFile.Open(agent.Settings.Config.GetString(SqliteTaskJournal.PluginId + ".path"));
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT ordering FROM journal WHERE deleted = 0 ORDER BY ordering";
        using var reader = command.ExecuteReader();
        var offsets = new List<long>();
        while (reader.Read())
        {
            offsets.Add(reader.GetInt64(0));
        }

        return offsets;
    }

    private static Source<long, Akka.NotUsed> ReadAdoptedOffsets(SqlReadJournal journal) =>
        journal.CurrentEventsByPersistenceId("scheduler", 0, long.MaxValue)
            .SelectMany(e => e.Event is AgentEventsAdopted a ? a.Events.Select(j => j.Offset) : []);

    private static async Task<List<long>> OffsetsAsync(ActorSystem system, Func<SqlReadJournal, Source<long, Akka.NotUsed>> read) =>
        (await read(PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier))
            .RunWith(Sink.Seq<long>(), system.Materializer())).ToList();
}
