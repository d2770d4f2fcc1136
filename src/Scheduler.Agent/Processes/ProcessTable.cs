using System.Collections.Concurrent;

namespace Scheduler.Agent.Processes;

/// <summary>
/// The task processes of this agent process. It lives outside the ActorSystem on purpose: when the
/// agent starts a new ActorSystem incarnation (after a quarantine), the new task supervisors re-attach
/// to processes that are still running instead of treating them as orphans.
/// </summary>
public sealed class ProcessTable
{
    private readonly ConcurrentDictionary<string, TaskProcess> _byTaskId = new();

    public void Add(string taskId, TaskProcess process) => _byTaskId[taskId] = process;

    public TaskProcess? Find(string taskId) => _byTaskId.TryGetValue(taskId, out var p) ? p : null;

    public void Remove(string taskId) => _byTaskId.TryRemove(taskId, out _);

    public IReadOnlyCollection<TaskProcess> All => _byTaskId.Values.ToList();
}
