namespace Scheduler.Contracts.Tasks;

/// <summary>
/// What to run: an executable and its arguments (no shell unless the command itself is
/// <c>sh -c …</c>), the working directory, extra environment variables and an optional timeout.
/// <paramref name="KillGrace"/>: how long a kill waits after SIGTERM before SIGKILL, at most the agent's own
/// <c>kill-grace</c> (the Master's deadline for an agent counts on that one), which applies when none is given.
/// </summary>
public sealed record TaskSpec(
    string TaskId,
    IReadOnlyList<string> Command,
    string? WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
    TimeSpan? Timeout,
    TimeSpan? KillGrace = null)
{
    /// <summary>
    /// Records compare lists by reference; two starts of one task id are "the same" when every
    /// field that decides what runs is equal.
    /// </summary>
    public bool SameCommandAs(TaskSpec other) =>
        TaskId == other.TaskId
        && Command.SequenceEqual(other.Command)
        && WorkingDirectory == other.WorkingDirectory
        && Timeout == other.Timeout
        && Environment.Count == other.Environment.Count
        && Environment.All(kv => other.Environment.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
