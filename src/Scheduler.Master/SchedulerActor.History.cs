using Akka.Actor;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Journal;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Scheduling;
using Scheduler.Master.History;
using Scheduler.Master.Logs;

namespace Scheduler.Master;

/// <summary>
/// The history read model: settled tasks move from the state to the history table (written first, then let go
/// by a persisted <see cref="TasksMovedToHistory"/>, so a crash in between only writes them again), which keeps
/// the state — and its recovery — the size of the open work. Queries read both: the state, then the table.
/// </summary>
public sealed partial class SchedulerActor
{
    private const int MaxMovedPerRound = 500;
    private bool _moving;

    private void MoveSettledToHistory()
    {
        if (_moving)
        {
            return;
        }

        var settled = _state.Settled(MaxMovedPerRound);
        if (settled.Count == 0)
        {
            return;
        }

        _moving = true;
        var ids = settled.Select(t => t.Spec.TaskId).ToList();
        _history.SaveAsync(settled).PipeTo(Self,
            success: () => new HistoryWritten(ids),
            failure: e => new ChildDatabaseFailed($"writing the task history failed: {e.GetBaseException().Message}"));
    }

    private void OnHistoryWritten(HistoryWritten written) =>
        PersistAndApply(new TasksMovedToHistory(written.TaskIds, Now), _ =>
        {
            _moving = false;
            foreach (var id in written.TaskIds)
            {
                StopLogActor(id); // its whole log is in the journal; a reader gets a fresh copy
            }
        });

    /// <summary>
    /// A task with its view, from the state or else from the history table; <paramref name="answer"/> goes to the
    /// asker. It may run off the actor's thread, so it gets the view rather than computing it from live sessions.
    /// </summary>
    private void WithTask(string taskId, Func<TaskEntry?, TaskView?, object> answer)
    {
        if (_state.Tasks.TryGetValue(taskId, out var task))
        {
            Sender.Tell(answer(task, View(task)));
            return;
        }

        _history.FindAsync(taskId).PipeTo(Sender, success: found => answer(found, found?.ToView(agentReachable: true)), failure: HistoryUnavailable);
    }

    private void OnGetTask(GetTask q) =>
        WithTask(q.TaskId, (_, view) => view is null ? NotFound(q.TaskId) : new TaskResult(view));

    private void OnGetHistory(GetHistory q)
    {
        var limit = Math.Clamp(q.Limit, 1, TaskHistoryStore.MaxRows);
        var filter = new HistoryFilter(q.Agent, q.Since, q.Until, q.JobId);
        if (q.TaskId is { } id)
        {
            WithTask(id, (t, view) => new TasksResult(t is not null && filter.Matches(t) ? [view!] : []));
            return;
        }

        // Views of open tasks are taken now (they show Unknown while their agent is unreachable); settled ones never change.
        var open = _state.Tasks.Values.Where(filter.Matches).OrderByDescending(t => t.Sequence).Take(limit).Select(t => (t.Sequence, View: View(t))).ToList();
        _history.NewestAsync(filter, limit).PipeTo(Sender,
            success: stored =>
            {
                var (kept, omitted) = FrameBudget.Take(HistoryMerge.Newest(open, stored, limit).ToList());
                return new TasksResult(kept, omitted);
            },
            failure: HistoryUnavailable);
    }

    /// <summary>The log of a task in the state, or of a settled one in the history table (its copy is whole).</summary>
    private void OnGetLog(GetTaskLog request)
    {
        var read = (bool complete) => new ReadLog(request.Offset, Math.Clamp(request.MaxBytes, 1, _settings.LogChunkBytes), complete);
        if (_state.Tasks.TryGetValue(request.TaskId, out var task))
        {
            LogActor(request.TaskId).Forward(read(task.LogComplete));
            return;
        }

        var replyTo = Sender;
        _history.FindAsync(request.TaskId).PipeTo(Self, success: found => new HistoryLookup(request.TaskId, found, read(true), replyTo),
            failure: e => new HistoryLookup(request.TaskId, null, null, replyTo, e));
    }

    private void OnHistoryLookup(HistoryLookup lookup)
    {
        if (lookup.Failure is { } e)
        {
            lookup.ReplyTo.Tell(HistoryUnavailable(e));
        }
        else if (lookup.Found is null)
        {
            lookup.ReplyTo.Tell(NotFound(lookup.TaskId));
        }
        else
        {
            LogActor(lookup.TaskId).Tell(lookup.Read!, lookup.ReplyTo);
        }
    }

    private static RequestFailed HistoryUnavailable(Exception e) =>
        new(ErrorCode.DatabaseUnavailable, $"the task history cannot be read: {e.GetBaseException().Message}");

    private sealed record HistoryWritten(IReadOnlyList<string> TaskIds) : INoSerializationVerificationNeeded;

    private sealed record HistoryLookup(string TaskId, TaskEntry? Found, ReadLog? Read, IActorRef ReplyTo, Exception? Failure = null)
        : INoSerializationVerificationNeeded;

    private sealed class MoveHistory : INoSerializationVerificationNeeded
    {
        public static MoveHistory Instance { get; } = new();
    }
}
