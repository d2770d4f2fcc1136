using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Scheduler.Agent.Journal;
using Scheduler.Agent.Processes;
using Scheduler.Agent.Tasks;
using Scheduler.Agent.Tests.Support;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Tasks;
using Xunit.Abstractions;

namespace Scheduler.Agent.Tests.Journal;

/// <summary>
/// The forwarder against a stand-in Master (a probe in the cluster client's place): batches go out ahead of the
/// acknowledgements, at most <see cref="JournalForwarderActor.MaxBatchesInFlight"/>, and a batch the Master ignored is
/// sent again from its cursor once the acknowledgement is overdue.
/// </summary>
public sealed class JournalForwarderSpecs : Akka.TestKit.Xunit2.TestKit
{
    private const string JournalId = "j1";
    private readonly string _dir;

    public JournalForwarderSpecs(ITestOutputHelper output) : base(AgentTestSystem.Setup(AgentTestSystem.NewDir()), "forwarder-specs", output)
    {
        _dir = Sys.Settings.Config.GetString("test.dir");
    }

    /// <summary>Two events per batch: each journaled task (accepted, failed to start) is one batch.</summary>
    private AgentSettings Settings(TimeSpan ackTimeout, TimeSpan? pollInterval) =>
        AgentTestSystem.Settings(_dir, $"scheduler.agent {{ replay-batch-events = 2, replay-ack-timeout = {ackTimeout.TotalMilliseconds}ms }}"
            + (pollInterval is { } poll ? $"\nscheduler.agent.replay-poll-interval = {poll.TotalMilliseconds}ms" : ""));

    /// <summary>A forwarder for journal <see cref="JournalId"/> with <paramref name="master"/> in the cluster client's place.</summary>
    private IActorRef StartForwarder(IActorRef master, TimeSpan ackTimeout, TimeSpan? pollInterval = null) =>
        Sys.ActorOf(JournalForwarderActor.Props(Settings(ackTimeout, pollInterval), new AgentIdentity(JournalId, 1), master, TaskEventReader.Of(Sys)));

    [Fact]
    public async Task Events_committed_while_caught_up_should_be_forwarded_at_once_not_at_the_next_poll()
    {
        await JournalTasksAsync(1); // offsets 1–2
        var master = CreateTestProbe();
        var forwarder = StartForwarder(master, TimeSpan.FromMinutes(1), pollInterval: TimeSpan.FromMinutes(10));
        forwarder.Tell(new ResumeForwarding(2));
        Assert.Equal(2, (await NextAsync<AgentCaughtUp>(master)).JournalEnd); // caught up: the next poll is in 10 minutes

        for (var i = 2; i <= 4; i++)
        {
            await AgentTestSystem.JournalFailedStartAsync(Sys, _dir, $"t{i}");
            var batch = (AgentEventBatch)((ClusterClient.Send)await master.FishForMessageAsync(
                m => m is ClusterClient.Send { Message: AgentEventBatch b } && b.ToOffset == i * 2, TimeSpan.FromSeconds(5))).Message;
            forwarder.Tell(new EventsAdopted(1, JournalId, batch.ToOffset));
        }
    }

    [Fact]
    public async Task Batches_should_go_out_ahead_of_the_acknowledgements_up_to_the_window_and_continue_as_they_come()
    {
        await JournalTasksAsync(6); // offsets 1–12: six batches
        var master = CreateTestProbe();
        // No acknowledgement is overdue during the spec: every batch sent again comes from the window alone.
        var forwarder = StartForwarder(master, TimeSpan.FromMinutes(1));

        forwarder.Tell(new ResumeForwarding(0));
        Assert.Equal([(0L, 2L), (2L, 4L), (4L, 6L), (6L, 8L)], await BatchesAsync(master, 4));
        await master.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // the window is full

        forwarder.Tell(new EventsAdopted(1, JournalId, 4));
        Assert.Equal([(8L, 10L), (10L, 12L)], await BatchesAsync(master, 2));
        forwarder.Tell(new EventsAdopted(1, JournalId, 12));
        Assert.Equal(12, (await NextAsync<AgentCaughtUp>(master)).JournalEnd);
    }

    [Fact]
    public async Task Batches_behind_one_the_master_ignored_should_be_sent_again_from_its_cursor_once_the_acknowledgement_is_overdue()
    {
        await JournalTasksAsync(3);
        var master = CreateTestProbe();
        var forwarder = StartForwarder(master, TimeSpan.FromSeconds(10));

        forwarder.Tell(new ResumeForwarding(0));
        Assert.Equal([(0L, 2L), (2L, 4L), (4L, 6L)], await BatchesAsync(master, 3));
        // The first batch was lost: the Master ignores the second, which does not continue at its cursor, 0.
        forwarder.Tell(new EventsAdopted(1, JournalId, 0));
        await master.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // no resend storm on every such answer

        Assert.Equal([(0L, 2L), (2L, 4L), (4L, 6L)], await BatchesAsync(master, 3, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task An_answer_past_the_start_of_the_batches_in_flight_should_start_them_again_from_there_at_once()
    {
        await JournalTasksAsync(3);
        var master = CreateTestProbe();
        var forwarder = StartForwarder(master, TimeSpan.FromMinutes(1));

        forwarder.Tell(new ResumeForwarding(0));
        Assert.Equal([(0L, 2L), (2L, 4L), (4L, 6L)], await BatchesAsync(master, 3));
        // The Master is at 1, the end of something sent before whose answer was lost: none of the batches in flight
        // can be adopted, and waiting for their acknowledgement would wait forever (each resend is ignored again).
        forwarder.Tell(new EventsAdopted(1, JournalId, 1));

        Assert.Equal((1L, 3L), (await BatchesAsync(master, 1))[0]);
    }

    [Fact]
    public async Task An_unchanged_journal_end_should_be_reported_again_less_and_less_often_and_a_new_end_soon()
    {
        await JournalTasksAsync(1); // offsets 1–2
        var master = CreateTestProbe();
        var forwarder = StartForwarder(master, TimeSpan.FromMilliseconds(200));

        forwarder.Tell(new ResumeForwarding(2)); // the Master has it all
        Assert.Equal(2, (await NextAsync<AgentCaughtUp>(master)).JournalEnd);
        // Repeated after 0.2, 0.4, 0.8, 1.6 s …: at most five in the next 4 s. At a fixed 0.2 s it was twenty, and the
        // shipped 3 s from each idle agent was a sixth of what agents cost an idle master.
        var repeats = await ReportsWithinAsync(master, TimeSpan.FromSeconds(4));
        Assert.InRange(repeats, 1, 5);

        // A new end is reported, and a report of it lost is repeated after the ack timeout again, not after 3.2 s.
        await AgentTestSystem.JournalFailedStartAsync(Sys, _dir, "t2"); // offsets 3–4: one batch, or two if read between
        for (long adopted = 2; adopted < 4;)
        {
            // (A repeat of the old end may still come first.)
            var batch = (AgentEventBatch)((ClusterClient.Send)await master.FishForMessageAsync(m => m is ClusterClient.Send { Message: AgentEventBatch })).Message;
            adopted = batch.ToOffset;
            forwarder.Tell(new EventsAdopted(1, JournalId, adopted));
        }

        await master.FishForMessageAsync(m => m is ClusterClient.Send { Message: AgentCaughtUp { JournalEnd: 4 } });
        Assert.Equal(4, (await NextAsync<AgentCaughtUp>(master, TimeSpan.FromSeconds(2.5))).JournalEnd);
    }

    [Theory]
    [InlineData(3, 6)]
    [InlineData(40, 60)] // a minute at most
    [InlineData(60, 60)]
    public void The_wait_before_repeating_an_unchanged_end_should_double_up_to_a_minute(int seconds, int nextSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(nextSeconds), JournalForwarderActor.NextReportWait(TimeSpan.FromSeconds(seconds)));

    /// <summary>How many journal-end reports reach <paramref name="master"/> within <paramref name="period"/>.</summary>
    private static async Task<int> ReportsWithinAsync(Akka.TestKit.TestProbe master, TimeSpan period)
    {
        var reports = 0;
        var until = DateTime.UtcNow + period;
        while (DateTime.UtcNow < until)
        {
            var left = until - DateTime.UtcNow;
            if (await master.ReceiveOneAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero) is ClusterClient.Send { Message: AgentCaughtUp })
            {
                reports++;
            }
        }

        return reports;
    }

    private async Task JournalTasksAsync(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            await AgentTestSystem.JournalFailedStartAsync(Sys, _dir, $"t{i}");
        }
    }

    private static async Task<List<(long After, long To)>> BatchesAsync(Akka.TestKit.TestProbe master, int count, TimeSpan? timeout = null)
    {
        var batches = new List<(long, long)>();
        for (var i = 0; i < count; i++)
        {
            var batch = await NextAsync<AgentEventBatch>(master, timeout);
            batches.Add((batch.AfterOffset, batch.ToOffset));
        }

        return batches;
    }

    private static async Task<T> NextAsync<T>(Akka.TestKit.TestProbe master, TimeSpan? timeout = null) =>
        (T)(await master.ExpectMsgAsync<ClusterClient.Send>(s => s.Message is T, timeout)).Message;
}
