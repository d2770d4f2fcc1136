using Akka.Actor;
using Akka.Event;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Journal;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Agents;
using Scheduler.Core.Configuration;
using Scheduler.Core.Scheduling;
using Scheduler.Master.Agents;
using Scheduler.Master.Logs;

namespace Scheduler.Master;

/// <summary>The agent side of the scheduler: registration, heartbeats, journal adoption, dispatch and log copying.</summary>
public sealed partial class SchedulerActor
{
    private const int MaxLogCopiesPerRound = 100;
    private static readonly TimeSpan LogIdleAfter = TimeSpan.FromMinutes(1);
    private readonly Dictionary<string, IActorRef> _logActors = new();
    private readonly Dictionary<string, DateTimeOffset> _logProbes = new();
    private readonly Dictionary<string, TaskLogCompleted> _emptyLogs = new();
    private long _logRound;
    private long _logActorSerial;

    private void OnRegister(RegisterAgent r)
    {
        _sessions.TryGetValue(r.AgentName, out var current);
        if (TaskIds.Problem(r.AgentName, "agent name") is { } problem)
        {
            r.AgentRef.Tell(new AgentRegistrationRefused(r.AgentName, r.Incarnation, problem));
            return;
        }

        switch (Registration.Decide(current?.Facts, r.JournalId, r.Incarnation, Now, _settings.UnreachableAfter))
        {
            case RegistrationDecision.Stale:
                return;
            case RegistrationDecision.Refuse:
                _log.Warning("Refused agent {AgentName} from {Address}: the name is held by a live agent at {Holder}",
                    r.AgentName, r.AgentRef.Path.Address, current!.Ref.Path.Address);
                r.AgentRef.Tell(new AgentRegistrationRefused(r.AgentName, r.Incarnation,
                    $"agent name '{r.AgentName}' is already connected from {current.Ref.Path.Address}"));
                return;
            case RegistrationDecision.Repeat:
                AnswerRegistration(r);
                return;
        }

        if (current is not null && !current.Ref.Equals(r.AgentRef))
        {
            Context.Unwatch(current.Ref);
        }

        var watchedBefore = current is { Watched: true } && current.Ref.Equals(r.AgentRef);
        Context.Watch(r.AgentRef);
        var lostAfter = LostDeadline.Of(_settings.LostAfter, r.ReconnectWindow, r.KillGrace, _settings.UnreachableAfter);
        _sessions[r.AgentName] = new AgentSession(r.AgentName, r.JournalId, r.Incarnation, r.AgentRef, r.Labels, lostAfter, Now,
            ReconnectWindow: r.ReconnectWindow, ReportedJournalEnd: current?.JournalId == r.JournalId ? current.ReportedJournalEnd : 0,
            WatchedSince: watchedBefore ? current!.WatchedSince : Now);
        if (_state.IsKnownJournal(r.AgentName, r.JournalId))
        {
            _log.Info("Agent {AgentName} registered (incarnation {Incarnation}) at {Address}", r.AgentName, r.Incarnation, r.AgentRef.Path.Address);
            AnswerRegistration(r);
            return;
        }

        PersistAndApply(new AgentJournalAttached(r.AgentName, r.JournalId, Now), _ =>
        {
            _log.Info("Agent {AgentName} registered with new journal {JournalId} at {Address}", r.AgentName, r.JournalId, r.AgentRef.Path.Address);
            AnswerRegistration(r);
        });
    }

    private void AnswerRegistration(RegisterAgent r) =>
        r.AgentRef.Tell(new AgentRegistered(r.AgentName, r.Incarnation, _state.Epoch, _state.RunId!,
            _state.AdoptedOffset(r.AgentName, r.JournalId), r.Sequence, _watch.QuarantinedAfter));

    /// <summary>The session of this exact agent incarnation, or null (then the agent is told to register again).</summary>
    private AgentSession? Session(string agent, long incarnation)
    {
        if (_sessions.TryGetValue(agent, out var s) && s.Incarnation == incarnation && s.Watched)
        {
            return s;
        }

        if (s is null || incarnation > s.Incarnation)
        {
            Sender.Tell(new RegisterAgain(agent, incarnation));
        }

        return null;
    }

    private void OnHeartbeat(AgentHeartbeat h)
    {
        if (Session(h.AgentName, h.Incarnation) is not { } s)
        {
            return;
        }

        Touch(s);
        s.Ref.Tell(new MasterHeartbeat(_state.Epoch, h.Sequence));
    }

    private void OnBatch(AgentEventBatch batch)
    {
        if (Session(batch.AgentName, batch.Incarnation) is not { } s)
        {
            return;
        }

        s = Reported(Touch(s), batch.ToOffset);
        if (_state.Decide(batch) == BatchDecision.Ignore)
        {
            s.Ref.Tell(new EventsAdopted(_state.Epoch, batch.JournalId, _state.AdoptedOffset(batch.AgentName, batch.JournalId)));
            return;
        }

        var openBefore = OpenTaskIds(batch.Events.Select(e => e.Event.TaskId));
        PersistAndApply(new AgentEventsAdopted(batch.AgentName, batch.JournalId, batch.ToOffset, batch.Events), _ =>
        {
            s.Ref.Tell(new EventsAdopted(_state.Epoch, batch.JournalId, batch.ToOffset));
            CountAdopted(batch, openBefore);
            foreach (var e in batch.Events)
            {
                _log.Debug("Adopted {Event} of task {TaskId} at offset {Offset}", e.Event.GetType().Name, e.Event.TaskId, e.Offset);
                // The agent measured the log at the end: nothing to ask for. A task with a copy under way (an earlier
                // run's) is left to it: that copy may hold chunks of a log since deleted on the agent.
                if (e.Event is IProcessEnded { LogBytes: 0 } && _state.Tasks.TryGetValue(e.Event.TaskId, out var task) && HasNoStoredLog(task))
                {
                    CompleteEmptyLog(e.Event.TaskId);
                }
            }
        });
    }

    private void OnCaughtUp(AgentCaughtUp c)
    {
        if (Session(c.AgentName, c.Incarnation) is not { } s)
        {
            return;
        }

        s = Reported(Touch(s), c.JournalEnd);
        if (s.Coupled || _state.AdoptedOffset(c.AgentName, c.JournalId) < c.JournalEnd)
        {
            return;
        }

        // Replay first, then schedule: only a coupled agent gets work, and its running tasks are reported.
        _sessions[s.Name] = s with { Coupled = true };
        var running = _state.RunningTaskIds(s.Name);
        var reconnect = _state.Cursors[s.Name].HasCoupled;
        PersistAndApply(new AgentCoupled(s.Name, s.JournalId, s.Incarnation, running, s.LostAfter, Now), _ =>
        {
            if (reconnect)
            {
                MasterMetrics.AgentReconnected(s.Name);
            }

            _log.Info("Agent {AgentName} " + (reconnect ? "reconnected" : "registered") + ", {Count} running: {Tasks} (journal adopted to offset {Offset})",
                s.Name, running.Count, running, c.JournalEnd);
            if (_sessions.TryGetValue(s.Name, out var current) && current.Coupled)
            {
                Dispatch(current);
            }
        });
    }

    /// <summary>The agent may delete final tasks once their events are adopted and their whole log is held here.</summary>
    private void OnReleaseCandidates(ReleaseCandidates r)
    {
        if (Session(r.AgentName, r.Incarnation) is not { } s || !_state.IsKnownJournal(r.AgentName, r.JournalId))
        {
            return;
        }

        // Open tasks are judged by the state; the others may be settled in the history table, which holds only
        // tasks final by their agent's word with their whole log.
        var releasable = _state.Releasable(r.AgentName, r.TaskIds);
        var elsewhere = r.TaskIds.Where(id => !_state.Tasks.ContainsKey(id)).ToList();
        if (elsewhere.Count == 0)
        {
            s.Ref.Tell(new ReleaseConfirmed(_state.Epoch, r.JournalId, releasable));
            return;
        }

        var (epoch, self, agent) = (_state.Epoch, Self, s.Ref);
        _history.ExistingAsync(r.AgentName, elsewhere).ContinueWith(lookup =>
        {
            if (lookup.IsCompletedSuccessfully)
            {
                agent.Tell(new ReleaseConfirmed(epoch, r.JournalId, releasable.Concat(lookup.Result).ToList()), self);
            }
            else
            {
                self.Tell(new ChildDatabaseFailed($"reading the task history failed: {lookup.Exception?.GetBaseException().Message}"));
            }
        }, TaskScheduler.Default);
    }

    private void OnStartRejected(StartTaskRejected r)
    {
        if (_state.Tasks.TryGetValue(r.TaskId, out var t) && !t.IsFinal && !t.AcceptedByAgent)
        {
            PersistAndApply(new TaskRejectedByAgent(r.TaskId, r.Reason, Now));
        }
    }

    /// <summary>
    /// The remote watch on an agent ended: at once when the agent stopped gracefully, otherwise when the
    /// watch failure detector gave up (after lost-after), which also quarantined the agent's ActorSystem.
    /// </summary>
    private void OnAgentTerminated(Terminated terminated)
    {
        var session = _sessions.Values.FirstOrDefault(s => s.Ref.Equals(terminated.ActorRef));
        if (session is null)
        {
            return;
        }

        if (terminated.AddressTerminated && _watch.IsTooSoon(Now - session.WatchedSince))
        {
            // The new incarnation registered on its old port just before the watch gave up on the old one there:
            // cut off, this session would show its tasks Unknown until the agent started yet another incarnation.
            // Watched again at the next tick, once Akka's RemoteWatcher has finished its own bookkeeping of the address.
            _log.Info("Agent {AgentName}: the remote watch gave up on an earlier incarnation at {Address}, not on this one; watching it again",
                session.Name, session.Ref.Path.Address);
            _sessions[session.Name] = session with { WatchAgain = true };
            return;
        }

        var stopped = !terminated.AddressTerminated;
        _log.Info(stopped
                ? "Agent {AgentName} stopped (a graceful stop, or its actor system made way for a new incarnation)"
                : "Agent {AgentName} is gone: silent for {Silence}, its actor system is quarantined until it starts a new one",
            session.Name, Durations.Describe(Now - session.LastSeen));
        _sessions[session.Name] = session with { Watched = false, Stopped = stopped, Coupled = false };
        CheckDeadlines();
    }

    /// <summary>The agent was heard from: note the time, and say so if it had been shown unreachable.</summary>
    private AgentSession Touch(AgentSession s)
    {
        if (s.ShownUnreachable)
        {
            _log.Info("Agent {AgentName} reachable again after {Silence}; coupling", s.Name, Durations.Describe(Now - s.LastSeen));
        }

        return _sessions[s.Name] = s with { LastSeen = Now, ShownUnreachable = false, DeclaredLost = false };
    }

    /// <summary>The agent said its journal reaches at least <paramref name="offset"/>.</summary>
    private AgentSession Reported(AgentSession s, long offset) =>
        offset <= s.ReportedJournalEnd ? s : _sessions[s.Name] = s with { ReportedJournalEnd = offset };

    private void CheckReachability()
    {
        PublishMetrics();
        foreach (var s in _sessions.Values.Where(s => s.WatchAgain).ToList())
        {
            Context.Watch(s.Ref);
            _sessions[s.Name] = s with { WatchAgain = false, WatchedSince = Now };
        }

        foreach (var s in _sessions.Values.Where(s => s.Watched && !s.ShownUnreachable && s.IsSilent(Now, _settings.UnreachableAfter)).ToList())
        {
            // Decoupled: when the agent is heard from again it replays what it journaled meanwhile, then couples again.
            _log.Info("Agent {AgentName} unreachable: no heartbeat for {Silence}", s.Name, Durations.Describe(Now - s.LastSeen));
            _sessions[s.Name] = s with { ShownUnreachable = true, Coupled = false };
            PersistAndApply(new AgentWentUnreachable(s.Name, s.LastSeen, Now));
        }

        CheckDeadlines();
    }

    /// <summary>
    /// Records as Lost the unfinished tasks of agents silent past their deadline: sessions of this Master run,
    /// and journals known from before it whose agents never came back (counted from this run's start).
    /// </summary>
    private void CheckDeadlines()
    {
        // A gracefully stopped agent killed its tasks before it went: it is given up only if some are still open.
        foreach (var s in _sessions.Values.Where(s => !s.DeclaredLost && s.IsPastDeadline(Now) && (!s.Stopped || _state.Unfinished(s.Name).Any())).ToList())
        {
            _sessions[s.Name] = s with { DeclaredLost = true };
            DeclareLost(s.Name, s.JournalId, Now - s.LastSeen);
        }

        var since = _state.EpochStartedAt ?? Now;
        foreach (var cursor in _state.Cursors.Values.Where(c => !_sessions.ContainsKey(c.AgentName)))
        {
            if (cursor is { HasCoupled: true, LostAfter: null })
            {
                continue; // an infinite window: its tasks run on through any outage
            }

            if (Now - since > (cursor.LostAfter ?? _settings.LostAfter) && _state.Unfinished(cursor.AgentName).Any())
            {
                DeclareLost(cursor.AgentName, cursor.JournalId, Now - since);
            }
        }
    }

    private void DeclareLost(string agent, string journalId, TimeSpan silence)
    {
        var reason = $"agent unreachable for {Durations.Describe(silence)}";
        var openBefore = OpenTaskIds(_state.Unfinished(agent).Select(t => t.Spec.TaskId));
        PersistAndApply(new AgentDeclaredLost(agent, journalId, reason, Now), _ =>
        {
            CountFinished(openBefore);
            _log.Warning("Agent {AgentName} lost: {Reason}; its unfinished tasks are recorded Lost and will be killed if it comes back running them",
                agent, reason);
        });
    }

    /// <summary>Those of <paramref name="taskIds"/> open and not final now (to count the ones an event makes final).</summary>
    private List<string> OpenTaskIds(IEnumerable<string> taskIds) =>
        taskIds.Distinct().Where(id => _state.Tasks.TryGetValue(id, out var t) && !t.IsFinal).ToList();

    private void CountFinished(IEnumerable<string> openBefore)
    {
        foreach (var id in openBefore)
        {
            if (_state.Tasks.TryGetValue(id, out var t) && t.IsFinal)
            {
                MasterMetrics.TaskFinished(t.State);
            }
        }
    }

    private void CountAdopted(AgentEventBatch batch, IEnumerable<string> openBefore)
    {
        MasterMetrics.EventsAdopted(batch.AgentName, batch.Events.Count);
        foreach (var e in batch.Events)
        {
            switch (e.Event)
            {
                case TaskStarted:
                    MasterMetrics.TaskStarted();
                    break;
                case TaskKilled killed:
                    MasterMetrics.TaskKilled(killed);
                    break;
            }
        }

        CountFinished(openBefore);
    }

    private void ResendAll()
    {
        foreach (var s in _sessions.Values.Where(s => s.IsConnected))
        {
            Dispatch(s);
        }
    }

    /// <summary>
    /// Sends the agent's outbox: starts not yet accepted (none while paused), kills not yet final. Both are
    /// idempotent on the agent.
    /// </summary>
    private void Dispatch(AgentSession s)
    {
        foreach (var t in _state.Tasks.Values.Where(t => t.Agent == s.Name))
        {
            if (t.AwaitsStart && !_state.Paused)
            {
                s.Ref.Tell(new StartTask(_state.Epoch, t.Spec), Self);
            }
            else if (t.AwaitsKill)
            {
                s.Ref.Tell(new StopTask(_state.Epoch, t.Spec.TaskId, t.KillReason!), Self);
            }
        }
    }

    /// <summary>
    /// Pulls new log output from connected agents, at most <see cref="MaxLogCopiesPerRound"/> finished tasks
    /// (oldest first; each copy runs to the end of its log) and as many running ones (in turns) per agent per
    /// round, so an agent coming back with thousands of tasks is not flooded (its heartbeats would starve).
    /// </summary>
    private void CopyAllLogs()
    {
        _logRound++;
        foreach (var s in _sessions.Values.Where(s => s.IsConnected))
        {
            var pending = _state.Tasks.Values.Where(t => t.Agent == s.Name && t.AcceptedByAgent && !t.LogComplete).ToList();
            var finished = pending.Where(t => t.IsFinal).OrderBy(t => t.Sequence).Take(MaxLogCopiesPerRound);
            var running = pending.Where(t => !t.IsFinal).OrderBy(t => t.Sequence).ToList();
            var turn = running.Count <= MaxLogCopiesPerRound
                ? running
                : running.Skip((int)(_logRound * MaxLogCopiesPerRound % running.Count)).Concat(running).Take(MaxLogCopiesPerRound);
            foreach (var t in finished.Concat(turn))
            {
                if (HasNoStoredLog(t))
                {
                    ProbeLog(s, t.Spec.TaskId);
                }
                else
                {
                    LogActor(t.Spec.TaskId).Tell(new CopyLog(s.Ref, _state.Epoch));
                }
            }
        }
    }

    /// <summary>
    /// No output of this task can be stored yet: it entered the state in this Master run (sequence numbers only grow,
    /// and a task id is never submitted twice) and no log copy has been started for it since. Its copy is then not
    /// started until there is output to store: the copy is a persistent actor, whose start queries the journal even for
    /// a log that stays empty (a quiet task's); docs/decisions.md has what that cost after an adoption.
    /// </summary>
    private bool HasNoStoredLog(TaskEntry t) => t.Sequence >= _firstSequenceOfRun && !_logActors.ContainsKey(t.Spec.TaskId);

    /// <summary>Asks the agent for the start of a task's log; the answer comes to <see cref="OnLogChunk"/>.</summary>
    private void ProbeLog(AgentSession s, string taskId)
    {
        if (_logProbes.TryGetValue(taskId, out var asked) && Now - asked < TaskLogActor.AskAgainAfter)
        {
            return; // one request at a time, as a log copy does
        }

        _logProbes[taskId] = Now;
        s.Ref.Tell(new FetchTaskLog(_state.Epoch, taskId, 0, _settings.LogChunkBytes));
    }

    /// <summary>
    /// The answer to <see cref="ProbeLog"/>. Still empty: a final task's log is complete at length 0 (stored with the
    /// others of the round's answers already received, in one write), a running task's is asked again next round.
    /// Output: from now on the task's log copy stores it, starting with this chunk.
    /// </summary>
    private void OnLogChunk(TaskLogChunk chunk)
    {
        _logProbes.Remove(chunk.TaskId);
        if (_state.Tasks.TryGetValue(chunk.TaskId, out var task) && HasNoStoredLog(task) && chunk.Data.Length == 0)
        {
            if (chunk.Complete)
            {
                CompleteEmptyLog(chunk.TaskId);
            }

            return;
        }

        var started = !_logActors.ContainsKey(chunk.TaskId);
        var copy = LogActor(chunk.TaskId);
        copy.Forward(chunk);
        if (started && !chunk.Complete && _sessions.TryGetValue(chunk.AgentName, out var s) && s.IsConnected)
        {
            copy.Tell(new CopyLog(s.Ref, _state.Epoch)); // after the chunk: it asks for what follows it
        }
    }

    /// <summary>
    /// A task's log is empty and the agent says it is final: complete at length 0, stored with the others found before
    /// the store message is handled (the probe answers and adopted ends already in the mailbox), in one write.
    /// </summary>
    private void CompleteEmptyLog(string taskId)
    {
        if (!_state.Tasks.TryGetValue(taskId, out var task) || task.LogComplete)
        {
            return;
        }

        _logProbes.Remove(taskId);
        if (_emptyLogs.Count == 0)
        {
            Self.Tell(StoreEmptyLogs.Instance);
        }

        _emptyLogs.TryAdd(taskId, new TaskLogCompleted(taskId, 0, Now)); // once, if found twice
    }

    /// <summary>A log copy reached the end of a final task's log; a copy asked once more before that was stored says it again.</summary>
    private void OnLogCompleted(TaskLogCompleted completed)
    {
        if (!(_state.Tasks.TryGetValue(completed.TaskId, out var task) && task.LogComplete))
        {
            PersistAndApply(completed);
        }
    }

    private void StoreEmptyLogsFound()
    {
        // A completion reported by a log copy since then was stored already: once each.
        var found = _emptyLogs.Values.Where(c => !(_state.Tasks.TryGetValue(c.TaskId, out var t) && t.LogComplete)).ToList();
        _emptyLogs.Clear();
        if (found.Count > 0)
        {
            PersistAllAndApply(found);
        }
    }

    /// <summary>
    /// The actor holding a task's log copy. Each incarnation gets a name of its own, so a new one can start while
    /// a stopped one is still on its way out. Copies of settled tasks read from the history stop when idle.
    /// </summary>
    private IActorRef LogActor(string taskId)
    {
        if (_logActors.TryGetValue(taskId, out var actor))
        {
            return actor;
        }

        var idleAfter = _state.Tasks.ContainsKey(taskId) ? (TimeSpan?)null : LogIdleAfter;
        actor = Context.ActorOf(TaskLogActor.Props(taskId, _settings.LogChunkBytes, _time, idleAfter), $"tasklog-{++_logActorSerial}");
        _logActors[taskId] = actor;
        return actor;
    }

    /// <summary>A task's log copy is no longer needed in memory (its task moved to the history, or it sat idle).</summary>
    private void StopLogActor(string taskId, IActorRef? only = null)
    {
        _logProbes.Remove(taskId);
        if (_logActors.TryGetValue(taskId, out var actor) && (only is null || actor.Equals(only)))
        {
            _logActors.Remove(taskId);
            actor.Tell(StopLogCopy.Instance);
        }
    }
}
