namespace Scheduler.Contracts.Tasks;

/// <summary>
/// A task as users see it: the JSON shape of <c>scheduler task</c>, <c>tasks</c> and <c>history</c>.
/// <paramref name="LogNote"/>: set when its agent could not write the whole log (a full disk): where it was cut off and why.
/// </summary>
public sealed record TaskView(
    string TaskId,
    string Agent,
    IReadOnlyList<string> Command,
    TaskState State,
    int? ExitCode,
    DateTimeOffset SubmittedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    string? Reason,
    string? LogNote = null);
