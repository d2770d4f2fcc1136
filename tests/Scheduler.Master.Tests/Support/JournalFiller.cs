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

    /// <summary>Writes <paramref name="tasks"/> lifecycles (3 events each) into the journal of <paramref name="agent"/>; returns the events written.</summary>
    public static async Task<int> FillAsync(ActorSystem agent, string prefix, int tasks)
    {
        var writer = agent.ActorOf(Props.Create(() => new Writer("filler-" + prefix)));
        var written = 0;
        for (var offset = 0; offset < tasks; offset += TasksPerWrite)
        {
            var fill = new Fill($"{prefix}-{offset / TasksPerWrite:000}", Math.Min(TasksPerWrite, tasks - offset));
            written += await writer.Ask<int>(fill, TimeSpan.FromSeconds(60));
        }

        return written;
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
