using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Contracts.Client;

public sealed record TaskResult(TaskView Task) : ISchedulerMessage;

/// <summary>
/// Tasks answered to a query. <paramref name="Omitted"/> matching tasks were left out so the answer stays below
/// Akka.Remote's frame size (<see cref="WireLimits.MaxResultBytes"/>): narrow the query or lower its limit.
/// </summary>
public sealed record TasksResult(IReadOnlyList<TaskView> Tasks, int Omitted = 0) : ISchedulerMessage;

public sealed record AgentsResult(IReadOnlyList<AgentView> Agents) : ISchedulerMessage;

/// <summary>
/// Log bytes from <paramref name="Offset"/>; <paramref name="NextOffset"/> is where to ask next.
/// <paramref name="Complete"/>: the task is final and the Master holds its whole log.
/// </summary>
public sealed record TaskLogResult(string TaskId, long Offset, long NextOffset, byte[] Data, bool Complete) : ISchedulerMessage;

/// <summary>Why a request failed, so callers can react by kind rather than by message text.</summary>
public enum ErrorCode
{
    InvalidRequest,
    UnknownAgent,
    DuplicateTaskId,
    NotFound,
    AgentUnavailable,
    Unavailable,
    /// <summary>The Master cannot reach its database; the message says since when and when it tries next.</summary>
    DatabaseUnavailable,
}

/// <summary>The answer to a request that could not be done; <paramref name="Message"/> is one line for a person.</summary>
public sealed record RequestFailed(ErrorCode Code, string Message) : ISchedulerMessage;
