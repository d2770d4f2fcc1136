using Akka.Actor;
using Akka.Event;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Journal;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Configuration;
using Scheduler.Core.Scheduling;
using Scheduler.Core.Tasks;
using Scheduler.Master.Logs;

namespace Scheduler.Master;

/// <summary>The client side of the scheduler: requests from integrators and the CLI.</summary>
public sealed partial class SchedulerActor
{
    private readonly List<(TaskSubmitted Submitted, IActorRef ReplyTo)> _submitsToStore = [];

    private void OnSubmit(SubmitTask submit) => Submit(submit, Sender, historyChecked: false);

    /// <summary>
    /// Validates, answers a retried submit with its task and refuses another command under a used id — also an id
    /// already in the history table (asked first, off the actor) — and persists the task before dispatching it.
    /// </summary>
    private void Submit(SubmitTask submit, IActorRef replyTo, bool historyChecked)
    {
        var spec = submit.Spec;
        if (Validate(submit) is { } failure)
        {
            replyTo.Tell(failure);
            return;
        }

        if (_state.Tasks.TryGetValue(spec.TaskId, out var existing))
        {
            replyTo.Tell(SameOrDuplicate(submit, existing, View(existing)));
            return;
        }

        if (!historyChecked)
        {
            _history.FindAsync(spec.TaskId).PipeTo(Self,
                success: found => new SubmitChecked(submit, found, replyTo),
                failure: e => new SubmitChecked(submit, null, replyTo, e));
            return;
        }

        if (_submitsToStore.Exists(p => p.Submitted.Spec.TaskId == spec.TaskId))
        {
            Stash.Stash(); // the same id is about to be stored: answered once it is (the same task, or refused)
            return;
        }

        if (_submitsToStore.Count == 0)
        {
            Self.Tell(StoreSubmits.Instance); // after the submits already in the mailbox, so they share the write
        }

        _submitsToStore.Add((new TaskSubmitted(submit.Agent, spec, Now), replyTo));
    }

    /// <summary>
    /// The submits checked since the last write, persisted in one (group commit): each was its own write, and the actor
    /// waits for each write, so submits in flight queued behind one another (the journal's writes were the largest
    /// part of the Master's CPU per task). Each is answered and dispatched once stored, as before.
    /// </summary>
    private void StoreSubmitsFound()
    {
        var batch = _submitsToStore.ToList();
        _submitsToStore.Clear();
        PersistAllAndApply(batch.Select(b => b.Submitted).ToList(), (submitted, i) =>
        {
            _log.Info("Task {TaskId} submitted to agent {AgentName}", submitted.Spec.TaskId, submitted.Agent);
            batch[i].ReplyTo.Tell(new TaskResult(View(_state.Tasks[submitted.Spec.TaskId])));
            StartIfConnected(submitted.Agent, submitted.Spec);
            if (i == batch.Count - 1)
            {
                Stash.UnstashAll(); // submits of an id that was in this batch
            }
        });
    }

    /// <summary>Sends a persisted task to its agent now if it can start; otherwise the outbox sends it later.</summary>
    private void StartIfConnected(string agent, TaskSpec spec)
    {
        if (!_state.Paused && _sessions.TryGetValue(agent, out var s) && s.IsConnected)
        {
            s.Ref.Tell(new StartTask(_state.Epoch, spec), Self);
        }
    }

    private void OnSubmitChecked(SubmitChecked c)
    {
        if (c.Failure is { } e)
        {
            c.ReplyTo.Tell(HistoryUnavailable(e));
        }
        else if (c.InHistory is { } settled)
        {
            c.ReplyTo.Tell(SameOrDuplicate(c.Submit, settled, settled.ToView(agentReachable: true)));
        }
        else
        {
            Submit(c.Submit, c.ReplyTo, historyChecked: true);
        }
    }

    /// <summary>A retried submit of the same task is answered with the task; another command under the id is refused.</summary>
    private static object SameOrDuplicate(SubmitTask submit, TaskEntry existing, TaskView view) =>
        existing.Agent == submit.Agent && existing.Spec.SameCommandAs(submit.Spec)
            ? new TaskResult(view)
            : new RequestFailed(ErrorCode.DuplicateTaskId,
                $"task id '{submit.Spec.TaskId}' is already used (agent '{existing.Agent}', command [{string.Join(' ', existing.Spec.Command)}])");

    private RequestFailed? Validate(SubmitTask submit)
    {
        if (TaskSpecRules.Problem(submit.Spec) is { } problem)
        {
            return new RequestFailed(ErrorCode.InvalidRequest, problem);
        }

        var known = _sessions.ContainsKey(submit.Agent) || _state.Cursors.ContainsKey(submit.Agent);
        if (!known)
        {
            var names = _sessions.Keys.Concat(_state.Cursors.Keys).Distinct().Order().ToList();
            return new RequestFailed(ErrorCode.UnknownAgent,
                $"unknown agent '{submit.Agent}' (known: {(names.Count == 0 ? "none" : string.Join(", ", names))})");
        }

        // Refused rather than queued: a queued start could run long after the submitter gave up on it, and
        // an agent that never comes back would leave it pending for ever.
        if (!_sessions.TryGetValue(submit.Agent, out var session) || !session.IsConnected)
        {
            var silence = session is null ? "" : $" (no heartbeat for {Durations.Describe(Now - session.LastSeen)})";
            var why = session is null ? "has not registered since the Master started"
                : session.Stopped ? "has stopped"
                : session.DeclaredLost ? "is lost" + silence
                : session.IsReachable ? "is replaying its journal and not connected yet"
                : "is unreachable" + silence;
            return new RequestFailed(ErrorCode.AgentUnavailable, $"agent '{submit.Agent}' {why}; the task was not accepted");
        }

        return null;
    }

    private void OnKill(KillTask kill)
    {
        if (!_state.Tasks.TryGetValue(kill.TaskId, out var task))
        {
            // Not open: settled in the history table (answered as it is) or unknown.
            WithTask(kill.TaskId, (_, view) => view is null ? NotFound(kill.TaskId) : new TaskResult(view));
            return;
        }

        if (task.IsFinal || task.KillReason is not null)
        {
            Sender.Tell(new TaskResult(View(task)));
            return;
        }

        var replyTo = Sender;
        PersistAndApply(new TaskKillRequested(kill.TaskId, "killed on request", Now), _ =>
        {
            var t = _state.Tasks[kill.TaskId];
            _log.Info("Kill of task {TaskId} requested", kill.TaskId);
            replyTo.Tell(new TaskResult(View(t)));
            if (_sessions.TryGetValue(t.Agent, out var s) && s.IsConnected)
            {
                s.Ref.Tell(new StopTask(_state.Epoch, t.Spec.TaskId, t.KillReason!), Self);
            }
        });
    }

    private sealed record SubmitChecked(SubmitTask Submit, TaskEntry? InHistory, IActorRef ReplyTo, Exception? Failure = null)
        : INoSerializationVerificationNeeded;

    private List<AgentView> AgentViews()
    {
        var names = _sessions.Keys.Concat(_state.Cursors.Keys).Distinct().Order();
        var runningCounts = _state.RunningCounts();
        return names.Select(name =>
        {
            var running = runningCounts.GetValueOrDefault(name);
            var adopted = _state.Cursors.TryGetValue(name, out var cursor) ? cursor.AdoptedOffset : (long?)null;
            return _sessions.TryGetValue(name, out var s)
                ? new AgentView(name, s.State, s.LastSeen, running, s.Labels,
                    WindowEndsAt: s.LastSeen + s.ReconnectWindow,
                    LostAt: s.LastSeen + s.LostAfter,
                    AdoptedOffset: _state.AdoptedOffset(name, s.JournalId),
                    JournalEnd: Math.Max(s.ReportedJournalEnd, _state.AdoptedOffset(name, s.JournalId)))
                : new AgentView(name, AgentState.Lost, null, running, [], AdoptedOffset: adopted);
        }).ToList();
    }
}
