using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Scheduler.Agent.Tasks;
using Scheduler.Contracts;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Benchmarks.Adoption;

/// <summary>
/// Writes tasks' lives to the journal exactly as their supervisors' PersistAll calls reach it: per task one
/// <see cref="WriteMessages"/> holding one <see cref="AtomicWrite"/> of its events, wrapped in <see cref="Tagged"/>
/// with the task tag, under persistence id <c>task-{id}</c>, sequence numbers from 1. Up to <c>window</c> tasks are
/// in flight at once, as with that many supervisors; the journal batches them into transactions. (A persistent
/// actor per task writes the same rows but first recovers, three queries each: minutes for 100,000 events.)
/// Answers <see cref="Done"/> to whoever sent <see cref="Start"/> when every write succeeded; stops on the first failure.
/// </summary>
public sealed class JournalWriterActor : ReceiveActor
{
    private static readonly IImmutableSet<string> Tags = ImmutableHashSet.Create(SchedulerPaths.TaskEventTag);

    private readonly IEnumerator<IReadOnlyList<ITaskEvent>> _tasks;
    private readonly int _window;
    private readonly IActorRef _journal = Persistence.Instance.Apply(Context.System).JournalFor(null);
    private readonly string _writerGuid = Guid.NewGuid().ToString("N");
    private IActorRef _replyTo = ActorRefs.Nobody;
    private int _inFlight;
    private readonly Harness.Progress? _progress;

    public JournalWriterActor(IEnumerable<IReadOnlyList<ITaskEvent>> tasks, int window, Harness.Progress? progress = null)
    {
        _progress = progress;
        _tasks = tasks.GetEnumerator();
        _window = window;
        Receive<Start>(_ =>
        {
            _replyTo = Sender;
            while (_inFlight < _window && WriteNext())
            {
            }

            ReplyIfDone();
        });
        Receive<WriteMessagesSuccessful>(_ =>
        {
            _inFlight--;
            _progress?.Advance();
            WriteNext();
            ReplyIfDone();
        });
        Receive<WriteMessageSuccess>(_ => { });
        Receive<WriteMessagesFailed>(f => Fail(f.Cause));
        Receive<WriteMessageFailure>(f => Fail(f.Cause));
        Receive<WriteMessageRejected>(r => Fail(r.Cause));
    }

    public static Props Props(IEnumerable<IReadOnlyList<ITaskEvent>> tasks, int window, Harness.Progress? progress = null) =>
        Akka.Actor.Props.Create(() => new JournalWriterActor(tasks, window, progress));

    private bool WriteNext()
    {
        if (!_tasks.MoveNext())
        {
            return false;
        }

        var events = _tasks.Current;
        var persistenceId = TaskSupervisorActor.PersistenceIdOf(events[0].TaskId);
        var write = new AtomicWrite(events
            .Select((e, i) => (IPersistentRepresentation)new Persistent(new Tagged(e, Tags), i + 1, persistenceId, writerGuid: _writerGuid))
            .ToImmutableList());
        _journal.Tell(new WriteMessages([write], Self, 1));
        _inFlight++;
        return true;
    }

    private void ReplyIfDone()
    {
        if (_inFlight == 0)
        {
            _replyTo.Tell(Done.Instance);
            Context.Stop(Self);
        }
    }

    private void Fail(Exception cause)
    {
        _replyTo.Tell(new Status.Failure(cause));
        Context.Stop(Self);
    }

    public sealed class Start
    {
        public static Start Instance { get; } = new();
    }

    public sealed class Done
    {
        public static Done Instance { get; } = new();
    }
}
