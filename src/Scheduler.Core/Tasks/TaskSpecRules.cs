using System.Text.Json;
using Scheduler.Contracts;
using Scheduler.Contracts.Serialization;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Core.Tasks;

/// <summary>What makes a task spec acceptable, checked by the Master before anything is persisted.</summary>
public static class TaskSpecRules
{
    /// <summary>Longest accepted command line (all arguments together), in characters.</summary>
    public const int MaxCommandLength = 64 * 1024;

    /// <summary>
    /// Longest accepted timeout: a start time plus a longer one could overflow a date (a timeout of 3,000,000 days
    /// threw inside the agent's supervisor). A century means "no timeout" for any task.
    /// </summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(36_500);

    private static readonly JsonSerializerOptions Json = SchedulerSerializer.CreateOptions();

    /// <summary>Null when the spec can be accepted, else one line saying why not.</summary>
    public static string? Problem(TaskSpec spec) =>
        TaskIds.Problem(spec.TaskId)
        ?? (spec.Command.Count == 0 || string.IsNullOrEmpty(spec.Command[0]) ? "the command is empty"
            : spec.Command.Sum(a => a.Length + 1) > MaxCommandLength ? $"the command line is longer than {MaxCommandLength} characters"
            : spec.Timeout is { } timeout && timeout <= TimeSpan.Zero ? "the timeout must be positive"
            : spec.Timeout > MaxTimeout ? $"the timeout is longer than {MaxTimeout.TotalDays:0} days (leave it out for no timeout)"
            : SerializedBytes(spec) is var bytes && bytes > WireLimits.MaxTaskSpecBytes
                ? $"the task is {bytes} bytes serialized (command, environment and working directory together); at most {WireLimits.MaxTaskSpecBytes} fit in a message"
            : null);

    /// <summary>The spec's size on the wire and in the journal (non-ASCII characters take up to 6 bytes each there).</summary>
    public static int SerializedBytes(TaskSpec spec) => JsonSerializer.SerializeToUtf8Bytes(spec, Json).Length;
}
