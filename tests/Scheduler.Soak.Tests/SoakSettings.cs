namespace Scheduler.Soak.Tests;

/// <summary>
/// How long the chaos runs and with which seed. The suite runs the short form; the long form and replays are asked
/// for with environment variables: <c>SCHEDULER_SOAK_MINUTES</c> (chaos per topology) and <c>SCHEDULER_SOAK_SEED</c>.
/// </summary>
public sealed record SoakSettings(TimeSpan Chaos, int Seed)
{
    /// <summary>The short form's chaos per topology: with start-up, draining and the checks about 1.5 minutes per topology.</summary>
    public static readonly TimeSpan ShortForm = TimeSpan.FromSeconds(50);

    /// <summary>The agents' reconnect window: longer than a fail-over of the active master (about 9–15 s here), so a
    /// master crash alone does not fence, and short enough that a partition past it fits into the short form.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(15);

    /// <summary>The test settings' kill-grace (<see cref="TestKit.TestHocon"/>): SIGTERM, this long, SIGKILL.</summary>
    public static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(1);

    public static SoakSettings FromEnvironment()
    {
        var minutes = Environment.GetEnvironmentVariable("SCHEDULER_SOAK_MINUTES");
        var seed = Environment.GetEnvironmentVariable("SCHEDULER_SOAK_SEED");
        return new SoakSettings(
            string.IsNullOrEmpty(minutes) ? ShortForm : TimeSpan.FromMinutes(double.Parse(minutes, System.Globalization.CultureInfo.InvariantCulture)),
            string.IsNullOrEmpty(seed) ? Random.Shared.Next(1, 1_000_000) : int.Parse(seed));
    }
}
