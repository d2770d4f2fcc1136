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

    [DllImport("libc", EntryPoint = "access", SetLastError = true)]
    public static extern int Access([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);

    [DllImport("libc", EntryPoint = "prctl", SetLastError = true)]
    public static extern int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [DllImport("libc", EntryPoint = "prctl", SetLastError = true)]
    public static extern int PrctlGet(int option, out int value, nuint arg3, nuint arg4, nuint arg5);

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
