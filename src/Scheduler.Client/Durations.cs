using System.Globalization;

namespace Scheduler.Client;

/// <summary>Durations as people write them: <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>1.5s</c>.</summary>
public static class Durations
{
    private static readonly (string Suffix, double Milliseconds)[] Units =
    [
        ("ms", 1),
        ("s", 1000),
        ("m", 60_000),
        ("h", 3_600_000),
        ("d", 86_400_000),
    ];

    /// <summary>Parses a positive duration; null and a one-line <paramref name="problem"/> when the text is not one.</summary>
    public static TimeSpan? TryParse(string text, out string? problem)
    {
        var trimmed = text.Trim();
        foreach (var (suffix, milliseconds) in Units)
        {
            if (!trimmed.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // "ms" also ends with "s": only accept the number part when it really is a number.
            var number = trimmed[..^suffix.Length];
            if (double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
                && value > 0
                && value * milliseconds < TimeSpan.MaxValue.TotalMilliseconds)
            {
                problem = null;
                return TimeSpan.FromMilliseconds(value * milliseconds);
            }
        }

        problem = $"'{text}' is not a duration (expected e.g. 500ms, 30s, 5m, 1h)";
        return null;
    }

    /// <summary>The shortest exact text of <paramref name="duration"/>: <c>5s</c>, <c>1.5s</c>, <c>500ms</c>, <c>2m</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        var ms = duration.TotalMilliseconds;
        return ms switch
        {
            >= 3_600_000 when ms % 3_600_000 == 0 => $"{(ms / 3_600_000).ToString(CultureInfo.InvariantCulture)}h",
            >= 60_000 when ms % 60_000 == 0 => $"{(ms / 60_000).ToString(CultureInfo.InvariantCulture)}m",
            >= 1000 => $"{(ms / 1000).ToString("0.###", CultureInfo.InvariantCulture)}s",
            _ => $"{ms.ToString("0.###", CultureInfo.InvariantCulture)}ms",
        };
    }
}
