using Akka.Configuration;

namespace Scheduler.Core.Configuration;

/// <summary>
/// Reads scheduler settings with one clear line per mistake: the key, what it holds and the expected form.
/// Durations accept HOCON forms (<c>500ms</c>, <c>30s</c>, <c>5m</c>); some also accept <c>infinite</c>.
/// </summary>
public sealed class HoconReader(Config config, string origin)
{
    /// <summary>Where the configuration came from, for error messages (a file name or "defaults").</summary>
    public string Origin { get; } = origin;

    public TimeSpan Duration(string key, bool allowZero = false) =>
        InfiniteOrDuration(key, allowInfinite: false, allowZero) ?? throw Invalid(key, "a duration such as 500ms, 10s or 5m");

    /// <summary>A duration, or null for <c>infinite</c>.</summary>
    public TimeSpan? DurationOrInfinite(string key) => InfiniteOrDuration(key, allowInfinite: true, allowZero: false);

    public string String(string key, bool allowEmpty = false)
    {
        var value = Raw(key);
        if (!allowEmpty && string.IsNullOrWhiteSpace(value))
        {
            throw Invalid(key, "a non-empty string");
        }

        return value ?? "";
    }

    public int Int(string key, int min, int max)
    {
        var raw = Raw(key);
        return int.TryParse(raw, out var value) && value >= min && value <= max
            ? value
            : throw Invalid(key, $"a whole number from {min} to {max}");
    }

    public bool Bool(string key) =>
        Raw(key)?.Trim().ToLowerInvariant() switch
        {
            "on" or "true" or "yes" => true,
            "off" or "false" or "no" => false,
            _ => throw Invalid(key, "on or off"),
        };

    public IReadOnlyList<string> StringList(string key)
    {
        try
        {
            return config.HasPath(key) ? config.GetStringList(key).ToList() : [];
        }
        catch (Exception e) when (e is not SettingsException)
        {
            throw Invalid(key, "a list of strings such as [\"a\", \"b\"]");
        }
    }

    public SettingsException Invalid(string key, string expected) =>
        new($"{Origin}: {key} = {Raw(key) ?? "(missing)"} is invalid; expected {expected}");

    private TimeSpan? InfiniteOrDuration(string key, bool allowInfinite, bool allowZero)
    {
        var raw = Raw(key)?.Trim();
        var expected = allowInfinite ? "a duration such as 10s or 5m, or infinite" : "a duration such as 500ms, 10s or 5m";
        if (string.IsNullOrEmpty(raw))
        {
            throw Invalid(key, expected);
        }

        if (allowInfinite && raw.Equals("infinite", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (!Durations.TryParse(raw, out var value) || value < TimeSpan.Zero || (!allowZero && value == TimeSpan.Zero))
        {
            throw Invalid(key, expected);
        }

        return value;
    }

    /// <summary>The value as the operator wrote it (a list or object as HOCON text), null when the key is absent.</summary>
    private string? Raw(string key)
    {
        if (!config.HasPath(key))
        {
            return null;
        }

        // GetString answers null for a list or an object; show those as written instead of "(missing)".
        var value = config.GetValue(key);
        return value is not null && (value.IsArray() || value.IsObject()) ? value.ToString().Trim() : config.GetString(key);
    }
}

/// <summary>A configuration value is wrong; the message names the origin, the key and the expected form.</summary>
public sealed class SettingsException(string message) : Exception(message);
