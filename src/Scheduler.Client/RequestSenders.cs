using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Scheduler.Contracts;
using Scheduler.Contracts.Client;

namespace Scheduler.Client;

/// <summary>
/// Sends requests to the masters through a ClusterClient from a few long-lived actors, each with one request at a time,
/// and hands each answer back to its caller.
/// <para>
/// Why not <c>clusterClient.Ask</c>: the master's receptionist makes a response tunnel — an actor, built from a compiled
/// expression, kept 30 s — for every sender it has not seen, and Ask's temporary actor is a new sender for every request.
/// At 150 requests a second that was a tunnel per request, thousands alive at once: 1–2 ms of CPU per task in the
/// throughput benchmark (docs/decisions.md). With these senders the receptionist keeps one tunnel per request that was
/// ever in flight at the same time as others.
/// </para>
/// A sender whose request timed out or was cancelled is stopped, never reused: its late answer cannot reach the next
/// request. The masters answer every request once, so an idle sender's next message is its next request's answer.
/// </summary>
public sealed class RequestSenders
{
    private readonly ActorSystem _system;
    private readonly IActorRef _clusterClient;
    private readonly ConcurrentBag<IActorRef> _idle = [];

    public RequestSenders(ActorSystem system, IActorRef clusterClient)
    {
        _system = system;
        _clusterClient = clusterClient;
    }

    /// <summary>The master's answer; throws <see cref="AskTimeoutException"/> after <paramref name="timeout"/>.</summary>
    public async Task<object> AskAsync(IClientRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!_idle.TryTake(out var sender))
        {
            // Props by type, not by expression: an expression is compiled on each call.
            sender = _system.ActorOf(Props.Create(typeof(RequestSender), _clusterClient));
        }

        object answer;
        try
        {
            answer = await sender.Ask<object>(request, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _system.Stop(sender);
            throw;
        }

        _idle.Add(sender);
        return answer;
    }

    /// <summary>Stops the idle senders (for a client whose ActorSystem lives on); one still waiting for an answer stops with it.</summary>
    public void Stop()
    {
        while (_idle.TryTake(out var sender))
        {
            _system.Stop(sender);
        }
    }

    /// <summary>Sends one request at a time through the ClusterClient as itself, and passes the answer to who asked.</summary>
    private sealed class RequestSender : ReceiveActor
    {
        private IActorRef? _asker;

        public RequestSender(IActorRef clusterClient)
        {
            Receive<IClientRequest>(request =>
            {
                _asker = Sender;
                clusterClient.Tell(new ClusterClient.Send(SchedulerPaths.SchedulerService, request, localAffinity: false));
            });
            ReceiveAny(answer =>
            {
                var asker = _asker;
                _asker = null;
                asker?.Tell(answer);
            });
        }
    }
}
