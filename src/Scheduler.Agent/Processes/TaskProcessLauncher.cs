using System.ComponentModel;
using System.Diagnostics;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Agent.Processes;

/// <summary>How a task process is started; both give the same process (see <see cref="TaskProcessLauncher"/>).</summary>
public enum TaskLaunchMethod
{
    /// <summary>glibc's posix_spawn with a new session, the exit learned from a pidfd: Linux 5.3, glibc 2.29.</summary>
    Spawn,

    /// <summary>
    /// .NET's <see cref="Process"/>, which can neither start a new session nor give stdin /dev/null, through
    /// <c>/bin/sh -c 'exec setsid "$@" &lt;/dev/null' scheduler-task EXE ARGS…</c>: the shell points stdin at /dev/null
    /// and execs util-linux <c>setsid</c>, which (not being a group leader) calls setsid() and execs the program in
    /// place. Three execs per task; used where <see cref="Spawn"/> is not supported.
    /// </summary>
    Shell,
}

/// <summary>
/// Starts task processes: the command itself (no shell), stdin from /dev/null, stdout and stderr into the task's
/// log, leading a new session and process group whose id is the task's pid (so the pid is the task's own, and the
/// kill finds its whole group).
/// </summary>
public static class TaskProcessLauncher
{
    /// <summary>The environment variable every task process (and so every descendant) carries its task id in.</summary>
    public const string TaskIdVariable = "SCHEDULER_TASK_ID";

    private const string Shell = "/bin/sh";
    private const string DefaultSearchPath = "/usr/local/bin:/usr/bin:/bin";
    private static readonly string[] _setsidCandidates = ["/usr/bin/setsid", "/bin/setsid"];

    /// <summary><see cref="TaskLaunchMethod.Spawn"/> where this system supports it, else <see cref="TaskLaunchMethod.Shell"/>.</summary>
    public static TaskLaunchMethod DefaultMethod { get; } = SpawnedChild.IsSupported ? TaskLaunchMethod.Spawn : TaskLaunchMethod.Shell;

    /// <summary>
    /// Starts spec.Command[0] with spec.Command[1..] (no shell) in spec.WorkingDirectory (null = the agent's cwd),
    /// with the agent's environment plus spec.Environment plus SCHEDULER_TASK_ID, stdin from /dev/null, in a new
    /// session and process group whose id is the task's pid. stdout and stderr are appended to
    /// <paramref name="logFilePath"/> as <see cref="TaskLogFormat"/> records in arrival order.
    /// </summary>
    /// <exception cref="TaskProcessException">
    /// The executable cannot be found or is not executable, the working directory does not exist, or the log cannot
    /// be opened; nothing was started.
    /// </exception>
    public static TaskProcess Start(TaskSpec spec, string logFilePath) => Start(spec, logFilePath, DefaultMethod);

    /// <inheritdoc cref="Start(TaskSpec, string)"/>
    public static TaskProcess Start(TaskSpec spec, string logFilePath, TaskLaunchMethod method)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrEmpty(logFilePath);
        if (spec.Command.Count == 0 || string.IsNullOrEmpty(spec.Command[0]))
        {
            throw new TaskProcessException("cannot start the task: the command is empty");
        }

        var workingDirectory = ResolveWorkingDirectory(spec.WorkingDirectory);
        var environment = BuildEnvironment(spec, workingDirectory);
        environment.TryGetValue("PATH", out var searchPath);
        var executable = ResolveExecutable(spec.Command[0], workingDirectory, searchPath);
        var log = TaskLogWriter.Open(logFilePath);
        try
        {
            return method == TaskLaunchMethod.Spawn
                ? Spawn(spec, executable, environment, workingDirectory, log)
                : StartThroughShell(spec, executable, environment, workingDirectory, log);
        }
        catch
        {
            log.Dispose();
            throw;
        }
    }

    private static TaskProcess Spawn(TaskSpec spec, string executable, Dictionary<string, string> environment, string workingDirectory,
        TaskLogWriter log)
    {
        var child = SpawnedChild.Start(executable, spec.Command, environment, workingDirectory, spec.Command[0]);
        return new TaskProcess(child, IdentityOf(child.Pid), spec.TaskId, log);
    }

    private static TaskProcess StartThroughShell(TaskSpec spec, string executable, Dictionary<string, string> environment,
        string workingDirectory, TaskLogWriter log)
    {
        var setsid = _setsidCandidates.FirstOrDefault(File.Exists)
            ?? throw new TaskProcessException("cannot start tasks: util-linux 'setsid' was not found in /usr/bin or /bin");
        var startInfo = new ProcessStartInfo(Shell)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add($"exec '{setsid}' \"$@\" </dev/null");
        startInfo.ArgumentList.Add("scheduler-task");
        startInfo.ArgumentList.Add(executable);
        foreach (var argument in spec.Command.Skip(1))
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(startInfo)
                ?? throw new TaskProcessException($"cannot start '{spec.Command[0]}': the process did not start");
        }
        catch (Win32Exception e)
        {
            throw new TaskProcessException($"cannot start '{spec.Command[0]}': {e.Message}");
        }

        ProcessTree.Own(process.Id);
        return new TaskProcess(process, IdentityOf(process.Id), spec.TaskId, log);
    }

    /// <summary>Start ticks are fixed at fork, so reading them now is exact; -1 only if the task is already reaped.</summary>
    private static ProcessIdentity IdentityOf(int pid) =>
        new(pid, ProcFs.ReadStat(pid)?.StartTicks ?? -1, ProcessIdentity.CurrentBootId);

    private static string ResolveWorkingDirectory(string? requested)
    {
        if (requested is null)
        {
            return Directory.GetCurrentDirectory();
        }

        var full = Path.GetFullPath(requested);
        if (!Directory.Exists(full))
        {
            throw new TaskProcessException($"working directory '{requested}' does not exist");
        }

        if (LibC.Access(full, LibC.ExecuteOk) != 0)
        {
            throw new TaskProcessException($"working directory '{requested}': {LibC.LastErrorText()}");
        }

        return full;
    }

    private static Dictionary<string, string> BuildEnvironment(TaskSpec spec, string workingDirectory)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && entry.Value is string value)
            {
                environment[name] = value;
            }
        }

        // The agent's PWD would lie about the task's directory; shells and many programs trust it.
        environment["PWD"] = workingDirectory;
        foreach (var (name, value) in spec.Environment)
        {
            environment[name] = value;
        }

        environment[TaskIdVariable] = spec.TaskId;
        return environment;
    }

    /// <summary>What execvp would run: a name with '/' as a path (relative to the working directory), else a PATH search.</summary>
    private static string ResolveExecutable(string command, string workingDirectory, string? searchPath)
    {
        if (command.Contains('/'))
        {
            var full = Path.GetFullPath(command, workingDirectory);
            return ExecutableProblem(full) is { } problem
                ? throw new TaskProcessException($"cannot start '{command}': {problem}")
                : full;
        }

        string? firstProblem = null;
        foreach (var directory in (searchPath ?? DefaultSearchPath).Split(':'))
        {
            var candidate = Path.GetFullPath(Path.Combine(directory.Length == 0 ? "." : directory, command), workingDirectory);
            if (!File.Exists(candidate) && !Directory.Exists(candidate))
            {
                continue;
            }

            var problem = ExecutableProblem(candidate);
            if (problem is null)
            {
                return candidate;
            }

            firstProblem ??= problem;
        }

        throw new TaskProcessException($"cannot start '{command}': {firstProblem ?? "No such file or directory"}");
    }

    private static string? ExecutableProblem(string path)
    {
        if (Directory.Exists(path))
        {
            return "Is a directory";
        }

        return LibC.Access(path, LibC.ExecuteOk) != 0 ? LibC.LastErrorText() : null;
    }
}
