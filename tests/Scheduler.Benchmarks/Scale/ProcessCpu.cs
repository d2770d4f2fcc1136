using System.Globalization;

namespace Scheduler.Benchmarks.Scale;

/// <summary>CPU time a process has used (user + system, from /proc/PID/stat), to measure another process's load.</summary>
public static class ProcessCpu
{
    /// <summary>The kernel's clock ticks per second for /proc times (USER_HZ: 100 on Linux).</summary>
    private const double TicksPerSecond = 100;

    public static TimeSpan Used(int pid) => Sum(pid, withChildren: false);

    /// <summary>This process's CPU time plus that of its exited children (the task processes it started and reaped).</summary>
    public static TimeSpan UsedWithChildren() => Sum(Environment.ProcessId, withChildren: true);

    private static TimeSpan Sum(int pid, bool withChildren)
    {
        var text = File.ReadAllText($"/proc/{pid}/stat");
        // "pid (comm) state ppid …": comm may hold spaces, so count from the last ')'; utime, stime, cutime and cstime
        // are fields 14 to 17.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = fields[11..(withChildren ? 15 : 13)].Sum(f => long.Parse(f, CultureInfo.InvariantCulture));
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>The share of one core <paramref name="pid"/> used over <paramref name="period"/> (0.05 = 5 %).</summary>
    public static async Task<double> ShareOfOneCoreAsync(int pid, TimeSpan period, CancellationToken cancellationToken)
    {
        var before = Used(pid);
        await Task.Delay(period, cancellationToken);
        return (Used(pid) - before) / period;
    }
}
