using System.Collections.Concurrent;
using System.Diagnostics;

namespace Scheduler.Agent.Processes;

/// <summary>
/// Finds and kills everything that belongs to one task: its process group, its session, every descendant of
/// the task process, and every process carrying SCHEDULER_TASK_ID=&lt;taskId&gt; in its environment (descendants
/// that left the group and were re-parented to the agent or to init), plus the descendants of all of those.
/// Never this process, never pid 1.
/// </summary>
internal static class ProcessTree
{
    private static readonly TimeSpan _firstPoll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan _maxPoll = TimeSpan.FromMilliseconds(100);

    /// <summary>Task pids whose exit status belongs to <see cref="ChildExits"/> or a .NET Process object: never waitpid'ed here.</summary>
    private static readonly ConcurrentDictionary<int, byte> _ownedPids = new();

    public static void Own(int pid) => _ownedPids[pid] = 0;

    public static void Release(int pid) => _ownedPids.TryRemove(pid, out _);

    /// <summary>Every member of the task's tree at this moment, alive or zombie.</summary>
    public static List<ProcStat> Find(ProcessIdentity root, byte[] marker)
    {
        var self = Environment.ProcessId;
        var group = root.Pid;
        var all = ProcFs.ReadAll();
        var found = new Dictionary<int, ProcStat>();
        foreach (var stat in all)
        {
            if (stat.Pid <= 1 || stat.Pid == self)
            {
                continue;
            }

            if (root.Matches(stat)
                || stat.ProcessGroup == group
                || stat.Session == group
                || (!stat.IsDead && ProcFs.HasEnvironmentEntry(stat.Pid, marker)))
            {
                found[stat.Pid] = stat;
            }
        }

        var children = all.ToLookup(stat => stat.ParentPid);
        var pending = new Queue<int>(found.Keys);
        while (pending.TryDequeue(out var pid))
        {
            foreach (var child in children[pid])
            {
                if (child.Pid > 1 && child.Pid != self && found.TryAdd(child.Pid, child))
                {
                    pending.Enqueue(child.Pid);
                }
            }
        }

        return [.. found.Values];
    }

    /// <summary>
    /// SIGTERM to the group and every member; wait up to <paramref name="grace"/> for all to be gone; then SIGKILL
    /// whatever remains (re-scanning) until the root is gone (<paramref name="rootGone"/>) and no member is left.
    /// Zombies re-parented to this process (the subreaper) are reaped.
    /// </summary>
    public static async Task KillAsync(ProcessIdentity root, string taskId, Func<bool> rootGone, TimeSpan grace)
    {
        var marker = ProcFs.TaskMarker(taskId);
        var signalled = new HashSet<int>();
        var clock = Stopwatch.StartNew();
        var poll = _firstPoll;
        var killing = false;
        var groupSignalled = false;
        var emptyScans = 0;
        while (true)
        {
            var members = Find(root, marker);
            Reap(members, signalled);
            var alive = members.Where(m => !m.IsDead).ToList();
            // A process in the middle of execve shows an empty environment for a moment, and one just forked may
            // be missed by a scan: only a second empty scan in a row ends the kill.
            emptyScans = alive.Count == 0 && rootGone() ? emptyScans + 1 : 0;
            if (emptyScans >= 2)
            {
                Reap([], signalled);
                return;
            }

            if (!killing && clock.Elapsed >= grace)
            {
                killing = true;
                groupSignalled = false;
            }

            var signal = killing ? LibC.SigKill : LibC.SigTerm;
            if (!groupSignalled && alive.Any(m => m.ProcessGroup == root.Pid))
            {
                LibC.SignalGroup(root.Pid, signal);
                groupSignalled = !killing;
            }

            foreach (var member in alive)
            {
                if (signalled.Add(member.Pid) || killing)
                {
                    LibC.Signal(member.Pid, signal);
                }
            }

            var wait = killing ? poll : Min(poll, grace - clock.Elapsed);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait).ConfigureAwait(false);
            }

            poll = Min(poll * 2, _maxPoll);
        }
    }

    /// <summary>
    /// Reaps zombies re-parented to this process from the trees of the given task process groups (not the owned task
    /// pids). Only /proc/PID/stat is read: a zombie has no environment left, so one that was re-parented here is tied to
    /// its task by its process group or session alone.
    /// </summary>
    public static void ReapDead(IReadOnlySet<int> groups)
    {
        var self = Environment.ProcessId;
        foreach (var stat in ProcFs.ReadAll())
        {
            if (stat.IsDead && stat.ParentPid == self
                && (groups.Contains(stat.Pid) || groups.Contains(stat.ProcessGroup) || groups.Contains(stat.Session)))
            {
                TryReap(stat.Pid);
            }
        }
    }

    private static void Reap(List<ProcStat> members, HashSet<int> signalled)
    {
        var self = Environment.ProcessId;
        foreach (var member in members)
        {
            if (member.IsDead && member.ParentPid == self)
            {
                TryReap(member.Pid);
            }
        }

        // A signalled process that died after leaving the group shows nothing that ties it to the task any more
        // (a zombie has no environment): reap it by the pid it was signalled under.
        foreach (var pid in signalled.ToList())
        {
            var stat = ProcFs.ReadStat(pid);
            if (stat is null)
            {
                signalled.Remove(pid);
            }
            else if (stat.Value.IsDead && stat.Value.ParentPid == self && TryReap(pid))
            {
                signalled.Remove(pid);
            }
        }
    }

    private static bool TryReap(int pid)
    {
        if (_ownedPids.ContainsKey(pid))
        {
            return false;
        }

        return LibC.WaitPid(pid, out _, LibC.WaitNoHang) == pid;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
