using System.Globalization;
using System.Text.RegularExpressions;

namespace Scheduler.Benchmarks.Handover;

/// <summary>A step of a hand-over and the log line (on any node) that shows it happened.</summary>
public sealed record HandoverStep(string Name, Regex Line);

/// <summary>
/// When the steps of a hand-over happened: the first log line of each step on any node at or after the moment the
/// active master was killed or stopped, in seconds after it. The nodes log through Serilog as
/// <c>[HH:mm:ss.fff LVL] message</c> in local time, on this machine's clock, so the offsets are comparable to a
/// <see cref="DateTime.Now"/> taken here (to the millisecond, plus the time a line waits in a pipe — nothing).
/// </summary>
public sealed partial class HandoverTimeline
{
    private readonly IReadOnlyList<(string Step, double? Seconds)> _steps;

    private HandoverTimeline(IReadOnlyList<(string Step, double? Seconds)> steps) => _steps = steps;

    [GeneratedRegex(@"^\[(\d\d:\d\d:\d\d\.\d\d\d) [A-Z]{3}\] (.*)$")]
    private static partial Regex SerilogLine();

    public static HandoverTimeline Read(IEnumerable<string> logs, DateTime since, IReadOnlyList<HandoverStep> steps)
    {
        var lines = logs
            .SelectMany(log => log.Split('\n'))
            .Select(line => SerilogLine().Match(line))
            .Where(m => m.Success)
            .Select(m => (Seconds: SecondsAfter(since, m.Groups[1].Value), Text: m.Groups[2].Value))
            .Where(l => l.Seconds >= 0)
            .OrderBy(l => l.Seconds)
            .ToList();
        return new HandoverTimeline(steps
            .Select(step => (step.Name, lines.Where(l => step.Line.IsMatch(l.Text)).Select(l => (double?)l.Seconds).FirstOrDefault()))
            .ToList());
    }

    /// <summary>Seconds after <paramref name="step"/>'s line, or null when no node logged it.</summary>
    public double? this[string step] => _steps.FirstOrDefault(s => s.Step == step).Seconds;

    /// <summary>"unreachable +4.1, downed +11.2, …" ("-" for a step no node logged).</summary>
    public override string ToString() =>
        string.Join(", ", _steps.Select(s => $"{s.Step} {(s.Seconds is { } t ? "+" + t.ToString("0.0", CultureInfo.InvariantCulture) : "-")}"));

    /// <summary>
    /// A time of day (local, HH:mm:ss.fff) as seconds after <paramref name="since"/>; a line written just after
    /// midnight belongs to the next day.
    /// </summary>
    private static double SecondsAfter(DateTime since, string timeOfDay)
    {
        var time = TimeSpan.ParseExact(timeOfDay, @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture);
        var seconds = (time - since.TimeOfDay).TotalSeconds;
        return seconds < -12 * 3600 ? seconds + 24 * 3600 : seconds;
    }
}
