using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Scheduler.Contracts;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Master.Tests.Support;

/// <summary>
/// Writes complete task lifecycles (accepted, started, exited 0) into an agent's journal, tagged exactly as
/// TaskSupervisorActor tags them: thousands of events in seconds, as if thousands of tasks ran while the
/// agent was cut off, without starting thousands of processes.
/// </summary>
public static class JournalFiller
{
    private static readonly IImmutableSet<string> Tags = ImmutableHashSet.Create(SchedulerPaths.TaskEventTag);

    /// <summary>300 events per write: well inside the journal's call timeout on a busy machine.</summary>
    private const int TasksPerWrite = 100;

    /// <summary>
    /// Writes <paramref name="tasks"/> lifecycles (3 events each) into the journal of the agent's current ActorSystem
    /// (<paramref name="agent"/> is asked again for each write); returns the events written.
    /// </summary>
    /// <remarks>
    /// A partitioned agent replaces its ActorSystem after the Master's watch pause (a few seconds in the specs), and
    /// the writer dies with the old one: a write without an answer is asked again in the new system. Each write has
    /// a persistence id of its own, so a write that did land is answered from its recovered events, not made twice.
    /// </remarks>
    public static async Task<int> FillAsync(Func<ActorSystem> agent, string prefix, int tasks)
    {
        var written = 0;
        for (var offset = 0; offset < tasks; offset += TasksPerWrite)
        {
            var fill = new Fill($"{prefix}-{offset / TasksPerWrite:000}", Math.Min(TasksPerWrite, tasks - offset));
            written += await WriteOnceAsync(agent, fill);
        }

        return written;
    }

    private static async Task<int> WriteOnceAsync(Func<ActorSystem> agent, Fill fill)
    {
        for (var attempt = 1; ; attempt++)
        {
            var system = agent();
            try
            {
                var writer = system.ActorOf(Props.Create(() => new Writer("filler-" + fill.Prefix)));
                return await writer.Ask<int>(fill, TimeSpan.FromSeconds(10));
            }
            catch (Exception e) when (e is AskTimeoutException or InvalidOperationException && attempt < 10)
            {
                // The system was replaced (or is being replaced): wait for the next one.
                await system.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
            }
        }
    }

    private sealed record Fill(string Prefix, int Tasks);

    private sealed class Writer : ReceivePersistentActor
    {
        private IActorRef _replyTo = ActorRefs.Nobody;

        public Writer(string persistenceId)
        {
            PersistenceId = persistenceId;
            Command<Fill>(fill =>
            {
                var replyTo = _replyTo = Sender;
                if (LastSequenceNr > 0)
                {
                    replyTo.Tell((int)LastSequenceNr); // written before, by a writer in an older system
                    return;
                }

                var at = DateTimeOffset.UtcNow;
                var events = Enumerable.Range(0, fill.Tasks).SelectMany(i =>
                {
                    var id = $"{fill.Prefix}-{i:000}";
                    var spec = new TaskSpec(id, ["true"], null, new Dictionary<string, string>(), null);
                    return new ITaskEvent[] { new TaskAccepted(id, spec, at), new TaskStarted(id, 1, 1, "filler", at), new TaskExited(id, 0, at) };
                }).Select(e => new Tagged(e, Tags)).ToList();
                var written = 0;
                PersistAll(events, _ =>
                {
                    if (++written == events.Count)
                    {
                        replyTo.Tell(written);
                    }
                });
            });
        }

        public override string PersistenceId { get; }

        /// <summary>A failed write fails the fill at once, with the journal's reason, instead of a timeout.</summary>
        protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
        {
            _replyTo.Tell(new Status.Failure(cause));
            base.OnPersistFailure(cause, @event, sequenceNr);
        }
    }
}
