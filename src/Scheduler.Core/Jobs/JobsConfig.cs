using System.Globalization;
using Akka.Configuration;
using Scheduler.Contracts.Jobs;
using Scheduler.Core.Configuration;

namespace Scheduler.Core.Jobs;

/// <summary>
/// Reads the <c>scheduler.jobs</c> block: one object per job, named by its id. Every mistake stops with the
/// origin (file), the key and the reason, e.g. <c>jobs.conf: scheduler.jobs.hello.schedule = "* *" is invalid; …</c>.
/// </summary>
/// <example><code>
/// scheduler.jobs.hello {
///   command = ["sh", "-c", "echo hi"]
///   agent = local                 # or: labels = [linux]
///   schedule = "*/2 * * * * *"    # cron with seconds; or: interval = 2s; or: at = "2027-01-01T00:00:00Z"
/// }
/// </code></example>
public static class JobsConfig
{
    public const string Path = "scheduler.jobs";

    private static readonly string[] Keys =
    [
        "command", "working-directory", "environment", "agent", "labels", "schedule", "time-zone", "interval", "at",
        "timeout", "kill-grace", "max-concurrent", "restartable", "retry", "misfire",
    ];

    /// <summary>The jobs <paramref name="config"/> defines, in file order; throws <see cref="SettingsException"/>.</summary>
    public static IReadOnlyList<JobSpec> Read(Config config, string origin)
    {
        if (!config.HasPath(Path))
        {
            return [];
        }

        var block = config.GetValue(Path);
        if (!block.IsObject())
        {
            throw new SettingsException($"{origin}: {Path} must be an object with one entry per job, e.g. {Path}.hello {{ … }}");
        }

        return block.GetObject().Items.Select(item => ReadJob(config, origin, item.Key, item.Value)).ToList();
    }

    private static JobSpec ReadJob(Config config, string origin, string id, Akka.Configuration.Hocon.HoconValue value)
    {
        var prefix = $"{Path}.{Quoted(id)}";
        if (!value.IsObject())
        {
            throw new SettingsException($"{origin}: {prefix} must be an object such as {{ command = [\"sh\", \"-c\", \"echo hi\"], agent = local }}");
        }

        var unknown = value.GetObject().Items.Keys.FirstOrDefault(key => !Keys.Contains(key));
        if (unknown is not null)
        {
            throw new SettingsException($"{origin}: {prefix}.{unknown} is not a job setting; known: {string.Join(", ", Keys)}");
        }

        var read = new HoconReader(config, origin);
        string Key(string name) => $"{prefix}.{name}";
        string? Optional(string name) => config.HasPath(Key(name)) ? read.String(Key(name)) : null;

        var command = read.StringList(Key("command"));
        if (command.Count == 0)
        {
            throw new SettingsException($"{origin}: {Key("command")} is missing or empty; expected the command as a list, e.g. [\"sh\", \"-c\", \"echo hi\"]");
        }

        var schedule = new JobScheduleSpec(
            Optional("schedule"),
            Optional("time-zone"),
            config.HasPath(Key("interval")) ? read.Duration(Key("interval")) : null,
            config.HasPath(Key("at")) ? Instant(read, Key("at")) : null);
        if (JobSchedule.From(schedule).Problem is { } scheduleProblem)
        {
            throw new SettingsException($"{origin}: {(schedule.Cron is null ? prefix : Key("schedule"))}: {scheduleProblem}");
        }

        var job = new JobSpec(
            id,
            command,
            Optional("working-directory"),
            Environment(config, origin, Key("environment")),
            Optional("agent"),
            read.StringList(Key("labels")),
            schedule,
            config.HasPath(Key("timeout")) ? read.Duration(Key("timeout")) : null,
            config.HasPath(Key("max-concurrent")) ? read.Int(Key("max-concurrent"), 1, 10_000) : 1,
            config.HasPath(Key("restartable")) && read.Bool(Key("restartable")),
            config.HasPath(Key("retry"))
                ? new RetrySpec(read.Int(Key("retry.count"), 0, JobRules.MaxRetries),
                    config.HasPath(Key("retry.backoff")) ? read.Duration(Key("retry.backoff")) : TimeSpan.FromSeconds(10))
                : null,
            config.HasPath(Key("misfire")) ? MisfireOf(read, Key("misfire")) : MisfirePolicy.FireOnce,
            config.HasPath(Key("kill-grace")) ? read.Duration(Key("kill-grace")) : null);

        // The rules name the problem; the key it belongs to is the job's own.
        return JobRules.Problem(job) is { } problem ? throw new SettingsException($"{origin}: {prefix}: {problem}") : job;
    }

    private static IReadOnlyDictionary<string, string> Environment(Config config, string origin, string key)
    {
        if (!config.HasPath(key))
        {
            return new Dictionary<string, string>();
        }

        var value = config.GetValue(key);
        if (!value.IsObject())
        {
            throw new HoconReader(config, origin).Invalid(key, "an object of names and values, e.g. { GREETING = hi }");
        }

        return value.GetObject().Items.ToDictionary(kv => kv.Key, kv => kv.Value.GetString());
    }

    private static DateTimeOffset Instant(HoconReader read, string key) =>
        DateTimeOffset.TryParse(read.String(key), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : throw read.Invalid(key, "a time such as \"2027-01-01T00:00:00Z\"");

    private static readonly Dictionary<string, MisfirePolicy> MisfirePolicies = new(StringComparer.Ordinal)
    {
        ["fire-once"] = MisfirePolicy.FireOnce,
        ["skip"] = MisfirePolicy.Skip,
        ["fire-all"] = MisfirePolicy.FireAll,
    };

    /// <summary>The policy as written in a job's configuration.</summary>
    public static string MisfireName(MisfirePolicy policy) => MisfirePolicies.First(kv => kv.Value == policy).Key;

    private static MisfirePolicy MisfireOf(HoconReader read, string key) =>
        MisfirePolicies.TryGetValue(read.String(key).Trim().ToLowerInvariant(), out var policy)
            ? policy
            : throw read.Invalid(key, "fire-once, skip or fire-all");

    /// <summary>A job id with a '.' must be quoted in a HOCON path.</summary>
    private static string Quoted(string id) => id.Contains('.') ? $"\"{id}\"" : id;
}
