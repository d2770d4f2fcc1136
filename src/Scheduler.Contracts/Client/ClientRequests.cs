using Scheduler.Contracts.Tasks;

namespace Scheduler.Contracts.Client;

/// <summary>
/// A request from an integrator or the CLI to the Master, sent through ClusterClient to
/// <see cref="SchedulerPaths.SchedulerService"/>. Each is answered by its <c>…Result</c> or by
/// <see cref="RequestFailed"/>.
/// </summary>
public interface IClientRequest : ISchedulerMessage
{
}

/// <summary>Run <paramref name="Spec"/> on the agent named <paramref name="Agent"/>. Answered by <see cref="TaskResult"/>.</summary>
public sealed record SubmitTask(string Agent, TaskSpec Spec) : IClientRequest;

/// <summary>Kill a task. Answered by <see cref="TaskResult"/> with the task's state at that moment.</summary>
public sealed record KillTask(string TaskId) : IClientRequest;

/// <summary>One task in whatever state it is. Answered by <see cref="TaskResult"/>.</summary>
public sealed record GetTask(string TaskId) : IClientRequest;

/// <summary>Tasks not yet final, optionally of one agent. Answered by <see cref="TasksResult"/>.</summary>
public sealed record GetTasks(string? Agent) : IClientRequest;

/// <summary>
/// Tasks newest first, one entry per task in its current state, optionally of one agent, one task, or submitted
/// in [<paramref name="Since"/>, <paramref name="Until"/>). Answered by <see cref="TasksResult"/>.
/// </summary>
public sealed record GetHistory(string? Agent, string? TaskId, int Limit, DateTimeOffset? Since = null, DateTimeOffset? Until = null, string? JobId = null)
    : IClientRequest;

/// <summary>The task's log as the Master has copied it, from a byte offset. Answered by <see cref="TaskLogResult"/>.</summary>
public sealed record GetTaskLog(string TaskId, long Offset, int MaxBytes) : IClientRequest;

/// <summary>All agents the Master knows. Answered by <see cref="AgentsResult"/>.</summary>
public sealed record GetAgents : IClientRequest
{
    public static GetAgents Instance { get; } = new();
}
