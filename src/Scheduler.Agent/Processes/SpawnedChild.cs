using System.IO.Pipes;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Scheduler.Agent.Processes;

/// <summary>
/// A task process started with glibc's <c>posix_spawn</c>: in a new session (<c>POSIX_SPAWN_SETSID</c>), stdin from
/// /dev/null, stdout and stderr into two pipes, no other file descriptor (not even those the agent inherited), every
/// signal at its default and none blocked, in its working directory.
/// One exec, where <c>/bin/sh -c 'exec setsid …'</c> took three (the throughput benchmark's profile: half of all CPU
/// samples were those three programs and their dynamic loading). The exit is learned from a pidfd
/// (<see cref="ChildExits"/>), and the child is reaped here, not by .NET.
/// </summary>
internal sealed class SpawnedChild
{
    private const int SpawnSetSignalDefaults = 0x04; // POSIX_SPAWN_SETSIGDEF
    private const int SpawnSetSignalMask = 0x08; // POSIX_SPAWN_SETSIGMASK
    private const int SpawnSetSession = 0x80; // POSIX_SPAWN_SETSID (glibc 2.26)
    private const int OpenReadOnly = 0; // O_RDONLY
    private const int OpenCloseOnExec = 0x80000; // O_CLOEXEC

    // Opaque glibc structures, allocated larger than their x86-64 / arm64 sizes (80, 336 and 128 bytes).
    private const int FileActionsBytes = 256;
    private const int AttributesBytes = 1024;
    private const int SignalSetBytes = 256;

    private SpawnedChild(int pid, Stream stdout, Stream stderr, Task<int> exited)
    {
        Pid = pid;
        Stdout = stdout;
        Stderr = stderr;
        Exited = exited;
    }

    public int Pid { get; }

    public Stream Stdout { get; }

    public Stream Stderr { get; }

    /// <summary>The exit code once the child is reaped; 128 + signal number when a signal ended it (as .NET reports it).</summary>
    public Task<int> Exited { get; }

    /// <summary>Whether this system has what <see cref="Start"/> needs: pidfd_open (Linux 5.3) and addclosefrom_np (glibc 2.34).</summary>
    public static bool IsSupported { get; } = Probe();

    /// <summary>Starts <paramref name="executable"/> (an absolute path) with <paramref name="arguments"/> (argv[0] first).</summary>
    /// <exception cref="TaskProcessException">posix_spawn failed (e.g. the program cannot be executed); nothing runs.</exception>
    public static SpawnedChild Start(string executable, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment,
        string workingDirectory, string displayName)
    {
        var (stdoutRead, stdoutWrite) = Pipe();
        SafePipeHandle stderrRead;
        int stderrWrite;
        try
        {
            (stderrRead, stderrWrite) = Pipe();
        }
        catch
        {
            // Out of descriptors, say: the first pipe must not leak with it.
            stdoutRead.Dispose();
            LibC.Close(stdoutWrite);
            throw;
        }

        int pid;
        try
        {
            pid = Spawn(executable, arguments, environment, workingDirectory, displayName, stdoutWrite, stderrWrite);
        }
        catch
        {
            stdoutRead.Dispose();
            stderrRead.Dispose();
            throw;
        }
        finally
        {
            // The child has its own copies on fds 1 and 2; these must go, or the pipes never end.
            LibC.Close(stdoutWrite);
            LibC.Close(stderrWrite);
        }

        // Owned before anyone could reap it: the zombie sweep leaves its exit status to ChildExits.
        ProcessTree.Own(pid);
        return new SpawnedChild(pid, ReadStream(stdoutRead), ReadStream(stderrRead), ChildExits.WatchAsync(pid));
    }

    /// <summary>posix_spawn with the file actions and attributes of the class comment; returns the child's pid.</summary>
    private static int Spawn(string executable, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment,
        string workingDirectory, string displayName, int stdoutWrite, int stderrWrite)
    {
        var unmanaged = new List<IntPtr>();
        var actions = Allocate(FileActionsBytes, unmanaged);
        var attributes = Allocate(AttributesBytes, unmanaged);
        var signals = Allocate(SignalSetBytes, unmanaged);
        try
        {
            Check(FileActionsInit(actions), "posix_spawn_file_actions_init");
            Check(AttrInit(attributes), "posix_spawnattr_init");
            Check(AddChdir(actions, workingDirectory), "posix_spawn_file_actions_addchdir_np");
            Check(AddOpen(actions, 0, "/dev/null", OpenReadOnly, 0), "posix_spawn_file_actions_addopen");
            Check(AddDup2(actions, stdoutWrite, 1), "posix_spawn_file_actions_adddup2");
            Check(AddDup2(actions, stderrWrite, 2), "posix_spawn_file_actions_adddup2");
            Check(AddCloseFrom(actions, 3), "posix_spawn_file_actions_addclosefrom_np");
            Check(AttrSetFlags(attributes, SpawnSetSession | SpawnSetSignalDefaults | SpawnSetSignalMask), "posix_spawnattr_setflags");
            // The runtime ignores SIGPIPE and blocks some signals on its threads: a task must start with none of that.
            // Every bit by hand: sigfillset leaves out glibc's two internal signals, which posix_spawn then leaves
            // ignored in the child, and so in the task.
            FillSignalSet(signals);
            Check(AttrSetSigDefault(attributes, signals), "posix_spawnattr_setsigdefault");
            Check(SigEmptySet(signals), "sigemptyset");
            Check(AttrSetSigMask(attributes, signals), "posix_spawnattr_setsigmask");

            var argv = NullTerminated(arguments, unmanaged);
            var envp = NullTerminated(environment.Select(e => $"{e.Key}={e.Value}").ToList(), unmanaged);
            var error = PosixSpawn(out var pid, executable, actions, attributes, argv, envp);
            return error == 0 ? pid : throw new TaskProcessException($"cannot start '{displayName}': {Marshal.GetPInvokeErrorMessage(error)}");
        }
        finally
        {
            // The memory starts zeroed (Allocate): destroying what an init never set up frees nothing.
            FileActionsDestroy(actions);
            AttrDestroy(attributes);
            unmanaged.ForEach(Marshal.FreeCoTaskMem);
        }
    }

    /// <summary>
    /// Pipe ends are close-on-exec, so a task started meanwhile by another thread does not inherit them (it would
    /// keep this task's output open); the child's dup2 onto 1 and 2 clears the flag on its copies only.
    /// </summary>
    private static (SafePipeHandle Read, int Write) Pipe()
    {
        var fds = new int[2];
        if (Pipe2(fds, OpenCloseOnExec) != 0)
        {
            throw new TaskProcessException($"cannot start tasks: pipe2 failed: {LibC.LastErrorText()}");
        }

        return (new SafePipeHandle(fds[0], ownsHandle: true), fds[1]);
    }

    /// <summary>Reads asynchronously through the runtime's epoll engine, as .NET's own Process does with its pipes.</summary>
    private static Stream ReadStream(SafePipeHandle handle) => new AnonymousPipeClientStream(PipeDirection.In, handle);

    /// <summary>Signals 1 to 64, the first 64 bits of a sigset_t; the rest of it is zero.</summary>
    private static void FillSignalSet(IntPtr signals)
    {
        for (var i = 0; i < SignalSetBytes; i++)
        {
            Marshal.WriteByte(signals, i, i < 8 ? (byte)0xff : (byte)0);
        }
    }

    private static IntPtr Allocate(int bytes, List<IntPtr> unmanaged)
    {
        var pointer = Marshal.AllocCoTaskMem(bytes);
        unmanaged.Add(pointer);
        Marshal.Copy(new byte[bytes], 0, pointer, bytes);
        return pointer;
    }

    private static IntPtr[] NullTerminated(IReadOnlyList<string> strings, List<IntPtr> unmanaged)
    {
        var array = new IntPtr[strings.Count + 1];
        for (var i = 0; i < strings.Count; i++)
        {
            array[i] = Marshal.StringToCoTaskMemUTF8(strings[i]);
            unmanaged.Add(array[i]);
        }

        return array;
    }

    private static void Check(int result, string call)
    {
        if (result != 0)
        {
            // The posix_spawn family returns the error number; sigfillset and friends return -1 with errno.
            var error = result > 0 ? result : Marshal.GetLastPInvokeError();
            throw new TaskProcessException($"cannot start tasks: {call} failed: {Marshal.GetPInvokeErrorMessage(error)}");
        }
    }

    private static bool Probe()
    {
        try
        {
            var libc = NativeLibrary.Load("libc.so.6");
            return NativeLibrary.TryGetExport(libc, "posix_spawn_file_actions_addchdir_np", out _)
                && NativeLibrary.TryGetExport(libc, "posix_spawn_file_actions_addclosefrom_np", out _)
                && ChildExits.IsSupported;
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "posix_spawn", SetLastError = true)]
    private static extern int PosixSpawn(out int pid, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr fileActions,
        IntPtr attributes, IntPtr[] argv, IntPtr[] envp);

    [DllImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    private static extern int FileActionsInit(IntPtr fileActions);

    [DllImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    private static extern int FileActionsDestroy(IntPtr fileActions);

    [DllImport("libc", EntryPoint = "posix_spawn_file_actions_addchdir_np")]
    private static extern int AddChdir(IntPtr fileActions, [MarshalAs(UnmanagedType.LPUTF8Str)] string path);

    [DllImport("libc", EntryPoint = "posix_spawn_file_actions_addopen")]
    private static extern int AddOpen(IntPtr fileActions, int fd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    [DllImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    private static extern int AddDup2(IntPtr fileActions, int fd, int newFd);

    [DllImport("libc", EntryPoint = "posix_spawn_file_actions_addclosefrom_np")]
    private static extern int AddCloseFrom(IntPtr fileActions, int lowestFd);

    [DllImport("libc", EntryPoint = "posix_spawnattr_init")]
    private static extern int AttrInit(IntPtr attributes);

    [DllImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    private static extern int AttrDestroy(IntPtr attributes);

    [DllImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    private static extern int AttrSetFlags(IntPtr attributes, short flags);

    [DllImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    private static extern int AttrSetSigDefault(IntPtr attributes, IntPtr signals);

    [DllImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    private static extern int AttrSetSigMask(IntPtr attributes, IntPtr signals);

    [DllImport("libc", EntryPoint = "sigemptyset", SetLastError = true)]
    private static extern int SigEmptySet(IntPtr signals);

    [DllImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static extern int Pipe2(int[] fds, int flags);
}
