using Scheduler.Contracts.Tasks;

namespace Scheduler.Soak.Tests.Workload;

public enum SoakTaskKind
{
    /// <summary>Prints a line and exits 0 at once.</summary>
    Short,
    /// <summary>Sleeps 2–25 s, so some outlive a partition past the window.</summary>
    Long,
    /// <summary>Writes to stderr and exits 3.</summary>
    Failing,
    /// <summary>Prints <see cref="SoakTask.HeavyLines"/> lines (about 200 KB of log).</summary>
    OutputHeavy,
}

/// <summary>
/// A task of the soak. Its first act is to append its id to the run's marks file (O_APPEND writes of one short
/// line do not interleave), so counting the id's lines counts how often it was started.
/// </summary>
public sealed record SoakTask(string TaskId, string Agent, SoakTaskKind Kind, int Seconds)
{
    public const int HeavyLines = 3000;
    public const int FailingExitCode = 3;

    public TaskSpec Spec(string marks) => new(TaskId, ["sh", "-c", $"echo {TaskId} >> {marks}; {Body}"], null,
        new Dictionary<string, string>(), null);

    private string Body => Kind switch
    {
        SoakTaskKind.Short => "echo short",
        SoakTaskKind.Long => $"sleep {Seconds}; echo slept {Seconds}",
        SoakTaskKind.Failing => $"echo failing >&2; exit {FailingExitCode}",
        _ => $"seq -f 'output line %06g of an output-heavy soak task, long enough to fill the log' 1 {HeavyLines}",
    };

    /// <summary>How the task ends when no fault touches it.</summary>
    public (TaskState State, int ExitCode) Undisturbed =>
        Kind == SoakTaskKind.Failing ? (TaskState.Failed, FailingExitCode) : (TaskState.Succeeded, 0);

    /// <summary>Task <paramref name="index"/> of a run: its kind, agent and length follow from the seed and the index alone.</summary>
    public static SoakTask Make(int seed, int index, IReadOnlyList<string> agents)
    {
        var random = new Random(unchecked((seed * 1_000_003) + index)); // not HashCode: it is salted per process
        var roll = random.Next(100);
        var kind = roll < 35 ? SoakTaskKind.Short : roll < 60 ? SoakTaskKind.Long : roll < 80 ? SoakTaskKind.Failing : SoakTaskKind.OutputHeavy;
        return new SoakTask($"soak-{seed}-{index:D5}", agents[random.Next(agents.Count)], kind, random.Next(2, 26));
    }
}
