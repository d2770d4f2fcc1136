using System.Runtime.InteropServices;

namespace Scheduler.Agent.Processes;

/// <summary>The few libc calls .NET's <see cref="System.Diagnostics.Process"/> does not offer.</summary>
internal static class LibC
{
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int ErrNoSuchProcess = 3; // ESRCH
    public const int WaitNoHang = 1; // WNOHANG
    public const int ExecuteOk = 1; // X_OK
    public const int SetChildSubreaper = 36; // PR_SET_CHILD_SUBREAPER
    public const int GetChildSubreaper = 37; // PR_GET_CHILD_SUBREAPER

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static extern int Kill(int pid, int signal);

    [DllImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    public static extern int WaitPid(int pid, out int status, int options);

    [DllImport("libc", EntryPoint = "waitid", SetLastError = true)]
    private static extern int WaitId(int idType, int id, byte[] info, int options);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    public static extern int Close(int fd);

    [DllImport("libc", EntryPoint = "access", SetLastError = true)]
    public static extern int Access([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);

    [DllImport("libc", EntryPoint = "prctl", SetLastError = true)]
    public static extern int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [DllImport("libc", EntryPoint = "prctl", SetLastError = true)]
    public static extern int PrctlGet(int option, out int value, nuint arg3, nuint arg4, nuint arg5);

    /// <summary>
    /// Whether some child of this process has exited and waits to be reaped: waitid(P_ALL, WEXITED | WNOHANG | WNOWAIT)
    /// peeks without reaping, so .NET's own wait for the children it started is left alone. True when unsure.
    /// </summary>
    public static bool HasExitedChild()
    {
        const int allChildren = 0; // P_ALL
        const int options = 4 | WaitNoHang | 0x01000000; // WEXITED | WNOHANG | WNOWAIT
        const int pidOffset = 16; // siginfo_t.si_pid on Linux (after si_signo, si_errno, si_code and padding)
        var info = new byte[128]; // sizeof(siginfo_t)
        if (WaitId(allChildren, 0, info, options) != 0)
        {
            return Marshal.GetLastPInvokeError() != 10; // ECHILD: no children at all
        }

        return BitConverter.ToInt32(info, pidOffset) != 0;
    }

    /// <summary>The OS text for the last P/Invoke error, e.g. "Permission denied".</summary>
    public static string LastErrorText() => Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());

    /// <summary>kill(2) that ignores a process that is already gone; never signals pid 0, 1 or this process.</summary>
    public static void Signal(int pid, int signal)
    {
        if (pid <= 1 || pid == Environment.ProcessId)
        {
            return;
        }

        Kill(pid, signal);
    }

    /// <summary>kill(-pgid, signal): the whole process group; never group 0/1 or this process's own group.</summary>
    public static void SignalGroup(int pgid, int signal)
    {
        if (pgid <= 1 || pgid == Environment.ProcessId)
        {
            return;
        }

        Kill(-pgid, signal);
    }
}
