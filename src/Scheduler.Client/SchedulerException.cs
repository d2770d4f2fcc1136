using Scheduler.Contracts.Client;

namespace Scheduler.Client;

/// <summary>A request the Master refused or could not do; <see cref="Code"/> tells the kind.</summary>
public class SchedulerException(ErrorCode code, string message, Exception? inner = null) : Exception(message, inner)
{
    public ErrorCode Code { get; } = code;
}

/// <summary>No master answered within the request timeout.</summary>
public sealed class MasterUnreachableException(IReadOnlyList<string> contactPoints, TimeSpan timeout, Exception? inner = null)
    : SchedulerException(ErrorCode.Unavailable, $"master not reachable at {string.Join(", ", contactPoints)} within {Durations.Format(timeout)}", inner)
{
    public IReadOnlyList<string> ContactPoints { get; } = contactPoints;

    public TimeSpan Timeout { get; } = timeout;
}
