namespace Scheduler.Agent.Processes;

public static class ProcessTreeKiller
{
    /// <summary>
    /// Kills an orphaned task process (and its group and descendants) left by a previous agent run — only if
    /// <paramref name="identity"/> is alive (same pid, start ticks and boot id); never by PID alone.
    /// Returns true if it was alive and is now killed.
    /// </summary>
    public static async Task<bool> KillOrphanAsync(ProcessIdentity identity, string taskId, TimeSpan grace)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        if (!identity.IsAlive())
        {
            return false;
        }

        await ProcessTree.KillAsync(identity, taskId, () => !identity.IsAlive(), grace).ConfigureAwait(false);
        return true;
    }
}
