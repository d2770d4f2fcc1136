using System.Globalization;

namespace Scheduler.Benchmarks.Scale;

/// <summary>CPU time a process has used (user + system, from /proc/PID/stat), to measure another process's load.</summary>
public static class ProcessCpu
{
    /// <summary>The kernel's clock ticks per second for /proc times (USER_HZ: 100 on Linux).</summary>
    private const double TicksPerSecond = 100;

    public static TimeSpan Used(int pid)
    {
        var text = File.ReadAllText($"/proc/{pid}/stat");
        // "pid (comm) state ppid …": comm may hold spaces, so count from the last ')'; utime and stime are fields 14 and 15.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
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
