using Scheduler.Agent.Processes;
using Scheduler.Contracts.Client;

namespace Scheduler.TestKit;

/// <summary>Task logs on both sides: the agent's own file and the Master's copy, to prove the copy is byte-equal.</summary>
public sealed partial class TestCluster
{
    /// <summary>Where <paramref name="agent"/> writes the log of <paramref name="taskId"/> (its data folder's <c>logs/</c>).</summary>
    public string AgentLogPath(string agent, string taskId) => TaskLogFiles.PathFor(Path.Combine(AgentDataDir(agent), "logs"), taskId);

    /// <summary>
    /// The log bytes of a task as the Master holds them, read page by page from offset 0, and whether the Master says
    /// that is the whole log (the task is final and every byte copied).
    /// </summary>
    public async Task<(byte[] Data, bool Complete)> MasterLogAsync(string taskId)
    {
        var bytes = new List<byte>();
        long offset = 0;
        TaskLogResult page;
        do
        {
            page = await QueryAsync<TaskLogResult>(new GetTaskLog(taskId, offset, 64 * 1024));
            bytes.AddRange(page.Data);
            offset = page.NextOffset;
        }
        while (page.Data.Length > 0 && !page.Complete);

        return (bytes.ToArray(), page.Complete);
    }

    /// <summary>
    /// Null when the Master's complete copy of the task's log is byte-equal to the agent's file (a task that wrote
    /// nothing may have no file), else what differs. Waits until the Master says its copy is complete.
    /// </summary>
    public async Task<string?> CompareLogAsync(string agent, string taskId)
    {
        var master = await WaitForAsync(() => MasterLogAsync(taskId), page => page.Complete,
            _ => $"the log of task {taskId} never became complete on the Master");
        var path = AgentLogPath(agent, taskId);
        var file = File.Exists(path) ? await File.ReadAllBytesAsync(path) : [];
        if (file.AsSpan().SequenceEqual(master.Data))
        {
            return null;
        }

        var firstDifference = Enumerable.Range(0, Math.Min(file.Length, master.Data.Length)).FirstOrDefault(i => file[i] != master.Data[i], -1);
        return $"log of task {taskId}: agent {agent} has {file.Length} bytes, the Master {master.Data.Length}"
            + (firstDifference >= 0 ? $", first difference at byte {firstDifference}" : ", one is a prefix of the other");
    }
}
