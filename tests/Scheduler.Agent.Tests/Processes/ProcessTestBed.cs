using System.Text;
using Scheduler.Agent.Processes;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Agent.Tests.Processes;

/// <summary>
/// A temp folder and the task processes a test started; disposing kills every one of them (and their trees)
/// and deletes the folder, so no test process outlives its test.
/// </summary>
internal sealed class ProcessTestBed : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    // The task ids of the beds not disposed yet, and the bed that started each: the killers find a task's processes by
    // its id in their environment, so two test classes running in parallel with the same literal id kill each other's
    // processes (it happened: "t-orphan" in two classes). Starting an id another live bed holds fails instead. (The
    // launcher specs reuse their ids on purpose: one collection, one class after the other.)
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ProcessTestBed> _owners = new();

    private readonly List<TaskProcess> _processes = [];
    private readonly TaskLaunchMethod _method;

    public ProcessTestBed(TaskLaunchMethod? method = null)
    {
        _method = method ?? TaskProcessLauncher.DefaultMethod;
        Directory = Path.Combine(Path.GetTempPath(), "scheduler-proc-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public static TaskSpec Spec(
        string taskId,
        IReadOnlyList<string> command,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null) =>
        new(taskId, command, workingDirectory, environment ?? new Dictionary<string, string>(), null);

    public static string NewTaskId() => TaskIds.New();

    public string LogPath(string taskId) => TaskLogFiles.PathFor(Path.Combine(Directory, "logs"), taskId);

    public TaskProcess Start(TaskSpec spec)
    {
        if (_owners.GetOrAdd(spec.TaskId, this) != this)
        {
            throw new InvalidOperationException($"task id {spec.TaskId} is already used by another test: give this one its own");
        }

        var process = TaskProcessLauncher.Start(spec, LogPath(spec.TaskId), _method);
        lock (_processes)
        {
            _processes.Add(process);
        }

        return process;
    }

    public TaskProcess Start(string taskId, params string[] command) => Start(Spec(taskId, command));

    public List<(OutputStream Stream, string Line)> Log(string taskId)
    {
        var path = LogPath(taskId);
        return File.Exists(path) ? [.. TaskLogFormat.Decode(File.ReadAllBytes(path))] : [];
    }

    /// <summary>Waits (bounded) until the task's log holds <paramref name="line"/> on stdout.</summary>
    public async Task WaitForStdoutAsync(string taskId, string line)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!Log(taskId).Contains((OutputStream.Stdout, line)))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"'{line}' did not appear in the log of {taskId}");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Polls (bounded) until <paramref name="condition"/> holds.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"never saw {what}");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>The command name of a process (/proc/PID/comm); empty if it is gone.</summary>
    public static string Command(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>Live (non-zombie) processes whose environment carries exactly this task id.</summary>
    public static List<int> ProcessesOfTask(string taskId)
    {
        // Entries are NUL-terminated; a NUL on both sides keeps "t-orphan" from matching "t-orphan-other".
        byte[] marker = [0, .. Encoding.UTF8.GetBytes($"{TaskProcessLauncher.TaskIdVariable}={taskId}"), 0];
        var result = new List<int>();
        foreach (var entry in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid) || ProcessIdentity.TryRead(pid) is null)
            {
                continue;
            }

            try
            {
                byte[] environ = [0, .. File.ReadAllBytes($"/proc/{pid}/environ")];
                if (environ.AsSpan().IndexOf(marker) >= 0)
                {
                    result.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone or not ours.
            }
        }

        return result;
    }

    /// <summary>Fields of /proc/PID/stat (1-based field numbers as in proc(5)), counted after the command name.</summary>
    public static string StatField(int pid, int field)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return "";
        }

        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return fields[field - 3];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.KillAsync(TimeSpan.Zero).WaitAsync(Timeout);
            await process.Exited.WaitAsync(Timeout);
            process.Dispose();
        }

        foreach (var (taskId, _) in _owners.Where(o => o.Value == this))
        {
            _owners.TryRemove(taskId, out _);
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
