namespace Scheduler.Agent.Processes;

/// <summary>
/// Identifies a process beyond its PID: start time in clock ticks since boot (field 22 of /proc/PID/stat) and
/// the boot id (/proc/sys/kernel/random/boot_id), so a reused PID is never mistaken for the task.
/// </summary>
public sealed record ProcessIdentity(int Pid, long StartTicks, string BootId)
{
    private static readonly Lazy<string> _currentBootId = new(ProcFs.ReadBootId);

    public static string CurrentBootId => _currentBootId.Value;

    /// <summary>The identity of a live process; null if there is no such process or it is a zombie.</summary>
    public static ProcessIdentity? TryRead(int pid) =>
        ProcFs.ReadStat(pid) is { IsDead: false } stat ? new ProcessIdentity(pid, stat.StartTicks, CurrentBootId) : null;

    /// <summary>A live process with this pid, the same start ticks and this boot.</summary>
    public bool IsAlive() =>
        BootId == CurrentBootId && StartTicks >= 0 && TryRead(Pid) is { } current && current.StartTicks == StartTicks;

    /// <summary>Whether <paramref name="stat"/> describes this process (alive or zombie).</summary>
    internal bool Matches(ProcStat stat) => stat.Pid == Pid && stat.StartTicks == StartTicks && BootId == CurrentBootId;
}
