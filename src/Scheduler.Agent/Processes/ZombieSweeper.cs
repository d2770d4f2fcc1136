namespace Scheduler.Agent.Processes;

/// <summary>
/// Reaps, after tasks end, the zombies of their trees that were re-parented to this process (the subreaper).
/// One sweep reads every /proc/PID/stat of the host, so tasks that end while a sweep runs share the next one:
/// at a hundred task ends a second that is a few sweeps, not a hundred (each one had cost about 13 % of the
/// agent's CPU in the throughput benchmark, issue 8).
/// </summary>
internal static class ZombieSweeper
{
    private static readonly object _gate = new();
    private static List<(int Group, TaskCompletionSource Swept)> _pending = [];
    private static bool _sweeping;

    /// <summary>Completes after a sweep that started after this call: the task's own zombies are reaped by then.</summary>
    public static Task SweepAfterAsync(int group)
    {
        var swept = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _pending.Add((group, swept));
            if (_sweeping)
            {
                return swept.Task;
            }

            _sweeping = true;
        }

        _ = Task.Run(SweepWhilePending);
        return swept.Task;
    }

    private static void SweepWhilePending()
    {
        while (true)
        {
            List<(int Group, TaskCompletionSource Swept)> batch;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _sweeping = false;
                    return;
                }

                (batch, _pending) = (_pending, []);
            }

            try
            {
                // Usually no child is waiting to be reaped (the task processes themselves are reaped at once, by ChildExits
                // or by .NET's Process): then one system call replaces the scan.
                if (LibC.HasExitedChild())
                {
                    ProcessTree.ReapDead(batch.Select(b => b.Group).ToHashSet());
                }
            }
            catch (Exception)
            {
                // Reaping is housekeeping only (the next sweep tries again); whatever failed, the tasks waiting on this
                // sweep must still end, and the loop must go on.
            }
            finally
            {
                batch.ForEach(b => b.Swept.TrySetResult());
            }
        }
    }
}
