using System.Globalization;
using System.Runtime.InteropServices;

namespace Scheduler.Cli.Tests.Support;

/// <summary>What the tests read from /proc and send with kill(2): process states, process groups, SIGSTOP and SIGCONT.</summary>
public static class ProcFs
{
    private const int SigCont = 18;
    private const int SigStop = 19;
    private const int SigTerm = 15;
    private const int SigInt = 2;

    /// <summary>SIGTERM: a graceful stop, as systemd or Ctrl+C would ask.</summary>
    public static void Terminate(int pid) => Signal(pid, SigTerm);

    /// <summary>SIGINT: Ctrl+C in a terminal.</summary>
    public static void Interrupt(int pid) => Signal(pid, SigInt);

    public static void Stop(int pid)
    {
        if (!Signal(pid, SigStop))
        {
            throw new InvalidOperationException($"kill -STOP {pid} failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
    }

    /// <summary>SIGCONT; a process that is gone meanwhile is left alone (this runs in finally blocks).</summary>
    public static void Continue(int pid) => Signal(pid, SigCont);

    /// <summary>The state letter of /proc/PID/stat (R, S, T for stopped, Z for zombie, …); null when there is no such process.</summary>
    public static char? State(int pid) => Stat(pid)?.State;

    /// <summary>The processes of group <paramref name="pgid"/> that have not exited (zombies and dead entries left out).</summary>
    public static IReadOnlyList<int> LiveMembersOfGroup(int pgid) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? Stat(pid) : null)
            .Where(s => s is { } stat && stat.Group == pgid && stat.State is not ('Z' or 'X' or 'x'))
            .Select(s => s!.Value.Pid)
            .ToList();

    private static (int Pid, char State, int Group)? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid pgrp …": comm may hold spaces and ')', so count from the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return fields.Length > 2 && int.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var group)
            ? (pid, fields[0][0], group)
            : null;
    }

    private static bool Signal(int pid, int signal) => pid > 1 && pid != Environment.ProcessId && Kill(pid, signal) == 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
