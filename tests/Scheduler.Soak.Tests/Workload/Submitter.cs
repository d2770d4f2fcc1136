using Akka.Actor;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Tasks;
using Scheduler.TestKit;

namespace Scheduler.Soak.Tests.Workload;

/// <summary>
/// Submits the run's tasks one after another while the chaos goes on, each to its agent or, when the runner says
/// that one is cut off or restarting, to the next available one. Every attempt is kept, whatever the answer: the
/// checks ask the Master about each id afterwards, so a submit whose answer was lost still counts if it was accepted.
/// </summary>
public sealed class Submitter(TestCluster cluster, int seed, IReadOnlyList<string> agents, string marks, Func<string, bool> available)
{
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(300);
    private readonly List<SoakTask> _attempted = [];
    private readonly object _gate = new();

    /// <summary>Every task a submit was attempted for.</summary>
    public IReadOnlyList<SoakTask> Attempted
    {
        get
        {
            lock (_gate)
            {
                return _attempted.ToList();
            }
        }
    }

    /// <summary>How many submits the Master refused (e.g. its agent had just become unreachable).</summary>
    public int Refused { get; private set; }

    public async Task RunAsync(CancellationToken stop)
    {
        for (var index = 0; !stop.IsCancellationRequested; index++)
        {
            var planned = SoakTask.Make(seed, index, agents);
            var start = agents.IndexOf(planned.Agent);
            var agent = Enumerable.Range(0, agents.Count).Select(i => agents[(start + i) % agents.Count]).FirstOrDefault(available);
            if (agent is not null)
            {
                await SubmitAsync(planned with { Agent = agent });
            }

            try
            {
                await Task.Delay(Pace, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task SubmitAsync(SoakTask task)
    {
        lock (_gate)
        {
            _attempted.Add(task);
        }

        try
        {
            if (await cluster.AskAsync(new SubmitTask(task.Agent, task.Spec(marks))) is RequestFailed)
            {
                Refused++;
            }
        }
        catch (AskTimeoutException)
        {
            // The answer was lost (a master crashed meanwhile): the checks find out whether it was accepted.
        }
    }
}

internal static class ListExtensions
{
    public static int IndexOf(this IReadOnlyList<string> list, string item) => list.ToList().IndexOf(item);
}
