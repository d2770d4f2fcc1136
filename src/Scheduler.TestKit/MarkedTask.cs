using Scheduler.Contracts.Client;
using Scheduler.Contracts.Tasks;

namespace Scheduler.TestKit;

/// <summary>A task that runs until its marker file appears, then appends a line to its runs file: one line per run.</summary>
public sealed record MarkedTask(TaskView Task, string Marker, string Runs)
{
    /// <summary>Starts one on <paramref name="agent"/> and waits until it runs.</summary>
    public static async Task<MarkedTask> StartAsync(TestCluster cluster, string agent)
    {
        var marker = Path.Combine(cluster.Root, "go-" + Guid.NewGuid().ToString("N")[..6]);
        var runs = marker + ".runs";
        var task = await cluster.SubmitAsync(agent, "sh", "-c", $"while [ ! -e {marker} ]; do sleep 0.1; done; echo ran >> {runs}");
        await cluster.WaitForTaskAsync(task.TaskId, t => t.State == TaskState.Running, "running");
        return new MarkedTask(task, marker, runs);
    }

    /// <summary>Lets it finish and returns its final view.</summary>
    public async Task<TaskView> FinishAsync(TestCluster cluster)
    {
        await File.WriteAllTextAsync(Marker, "");
        return await cluster.WaitForFinalAsync(Task.TaskId);
    }

    /// <summary>How many times it ran to its end.</summary>
    public async Task<int> CountRunsAsync() => (await File.ReadAllLinesAsync(Runs)).Length;
}
