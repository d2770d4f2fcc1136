using Akka.Actor;

namespace Scheduler.Agent.Tasks;

/// <summary>Waiting for a task supervisor to settle: its task final (journaled), or never journaled at all.</summary>
public static class SupervisorSettlement
{
    /// <summary>
    /// Sends <paramref name="command"/> to <paramref name="supervisor"/>; completes when it answers
    /// <see cref="TaskSettled"/>, when it stops, or after <paramref name="timeout"/>, whichever comes first. Never faults.
    /// A final task's supervisor is stopped once nothing is left for it to do (a quiet task's right after its end):
    /// a command that reaches it after it stopped is never answered, and waiting for the answer would hold a shutdown
    /// for the whole timeout.
    /// </summary>
    public static async Task SettledAsync(IActorRef supervisor, object command, TimeSpan timeout)
    {
        using var giveUp = new CancellationTokenSource(timeout);
        var answer = supervisor.Ask<TaskSettled>(command, timeout);
        var stopped = supervisor.WatchAsync(giveUp.Token);
        await Task.WhenAny(answer, stopped).ConfigureAwait(false);
        await giveUp.CancelAsync().ConfigureAwait(false); // ends the watch once answered
        // Whichever did not decide may still fail (the ask's timeout, the watch's cancellation): nobody waits for it.
        _ = answer.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        _ = stopped.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
    }
}
