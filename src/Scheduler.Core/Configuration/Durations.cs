using System.Globalization;
using System.Text.RegularExpressions;

namespace Scheduler.Core.Configuration;

/// <summary>Durations as operators write them: <c>250ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>2d</c> (also HOCON's long unit names).</summary>
public static partial class Durations
{
    [GeneratedRegex(@"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")]
    private static partial Regex Pattern();

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var match = Pattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        double? ms = match.Groups[2].Value.ToLowerInvariant() switch
        {
            "ms" or "millis" or "milliseconds" or "millisecond" => number,
            "" or "s" or "second" or "seconds" => number * 1000,
            "m" or "minute" or "minutes" => number * 60_000,
            "h" or "hour" or "hours" => number * 3_600_000,
            "d" or "day" or "days" => number * 86_400_000,
            _ => null,
        };
        if (ms is null || ms.Value > TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(ms.Value);
        return true;
    }

    /// <summary>The shortest exact form, e.g. 1500 ms → "1500ms", 90 s → "90s", 5 min → "5m".</summary>
    public static string Format(TimeSpan value) =>
        value.Ticks % TimeSpan.TicksPerSecond != 0 ? $"{(long)value.TotalMilliseconds}ms"
        : value.Ticks % TimeSpan.TicksPerMinute != 0 ? $"{(long)value.TotalSeconds}s"
        : value.Ticks % TimeSpan.TicksPerHour != 0 ? $"{(long)value.TotalMinutes}m"
        : $"{(long)value.TotalHours}h";

    /// <summary>A measured duration for people: "850ms", "4.2s", "5m3s", "2h5m".</summary>
    public static string Describe(TimeSpan value) =>
        value < TimeSpan.FromSeconds(1) ? $"{Math.Max(0, (long)value.TotalMilliseconds)}ms"
        : value < TimeSpan.FromMinutes(1) ? $"{value.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)}s"
        : value < TimeSpan.FromHours(1) ? $"{(int)value.TotalMinutes}m{value.Seconds}s"
        : $"{(long)value.TotalHours}h{value.Minutes}m";
}
