using System.Text.RegularExpressions;

namespace Scheduler.Contracts.Tasks;

/// <summary>
/// Task ids name persistence ids (<c>task-{id}</c>) and log files, so they are restricted to a safe
/// alphabet; names of agents follow the same rule.
/// </summary>
public static partial class TaskIds
{
    public const int MaxLength = 128;

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*\z")]
    private static partial Regex SafeName();

    /// <summary>A fresh id for a task submitted without one.</summary>
    public static string New() => "t-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Null when <paramref name="id"/> is a valid id, else the reason it is not.</summary>
    public static string? Problem(string? id, string what = "task id") =>
        string.IsNullOrEmpty(id) ? $"{what} is empty"
        : id.Length > MaxLength ? $"{what} '{id[..20]}…' is longer than {MaxLength} characters"
        : !SafeName().IsMatch(id) ? $"{what} '{id}' may contain only letters, digits, '.', '_' and '-' and must start with a letter or digit"
        : null;
}
