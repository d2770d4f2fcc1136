using Akka.Actor;
using Akka.Event;
using Scheduler.Agent.Tasks;
using Scheduler.Contracts;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Tasks;

namespace Scheduler.Agent;

/// <summary>
/// Release: final tasks whose events the Master adopted and whose whole log it holds are deleted from the
/// agent's journal and log folder once their retention has passed. The Master confirms each one first.
/// </summary>
public sealed partial class AgentActor
{
    private const int MaxReleasePerRound = 500;

    /// <summary>
    /// Finds final tasks whose events the Master adopted and that ended longer ago than the retention, and
    /// proposes them to the Master; it confirms those whose whole log it holds, and only those are deleted.
    /// </summary>
    private void ProposeRelease()
    {
        if (_releasing || _adoptedOffset == 0 || _settings.Retention is not { } retention)
        {
            return;
        }

        _releasing = true;
        var adopted = _adoptedOffset;
        var now = Now;
        // Every event, also those after the adopted offset: a task with one the Master has not adopted yet (an output
        // truncation noted after its end) is not released, or deleting its events would lose that one.
        Task.Run(() => _journal.Fold(new ReleasePlan(), (plan, e) => plan.Add(e.Offset, e.Event)))
            .PipeTo(Self,
                success: plan => new ReleasePlanned(plan.Candidates(adopted, now, retention, MaxReleasePerRound)),
                failure: _ => new ReleasePlanned([]));
    }

    private void OnReleasePlanned(ReleasePlanned planned)
    {
        _releasing = false;
        if (planned.TaskIds.Count > 0)
        {
            SendToMaster(new ReleaseCandidates(_settings.Name, _identity.JournalId, _identity.Incarnation, planned.TaskIds));
        }
    }

    private void OnReleaseConfirmed(ReleaseConfirmed confirmed)
    {
        if (IsCurrent(confirmed) && confirmed.JournalId == _identity.JournalId)
        {
            _log.Info("Releasing {Count} task(s) past their retention: the Master holds their history and logs", confirmed.TaskIds.Count);
            foreach (var taskId in confirmed.TaskIds)
            {
                ToSupervisor(taskId, ReleaseTask.Instance);
            }
        }
    }

    private sealed record ReleasePlanned(IReadOnlyList<string> TaskIds) : INoSerializationVerificationNeeded;

    private sealed class ReleaseTick : INoSerializationVerificationNeeded
    {
        public static ReleaseTick Instance { get; } = new();
    }
}
