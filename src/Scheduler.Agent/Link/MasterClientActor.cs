using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Tools.Client;

namespace Scheduler.Agent.Link;

/// <summary>
/// The agent's way to the masters (path <c>/user/agent/master-client</c>): owns a ClusterClient and passes it every
/// message (<see cref="ClusterClient.Send"/>), so the agent and its journal forwarder keep one reference while the
/// ClusterClient under it is replaced. On <see cref="FindMasterAgain"/> it stops the current ClusterClient and starts
/// a new one, which asks all configured masters' receptionists for contacts again and uses the first that answers.
/// <para>
/// Why: the agent's own heartbeats already tell it, every second, whether a master answers. ClusterClient's failure
/// detector only repeated that — one more heartbeat and answer per agent and second at the master, about half of what
/// 100 idle agents cost it (docs/decisions.md) — so it is left as a slow backstop and the agent's silence rule
/// (<c>scheduler.agent.find-master-after</c>) moves it to another master instead.
/// </para>
/// </summary>
public sealed class MasterClientActor : ReceiveActor
{
    private readonly IImmutableSet<ActorPath> _contacts;
    private IActorRef _client;
    private int _generation;

    public MasterClientActor(IImmutableSet<ActorPath> contacts)
    {
        _contacts = contacts;
        _client = StartClient();
        Receive<FindMasterAgain>(_ =>
        {
            Context.Stop(_client);
            _client = StartClient();
        });
        ReceiveAny(message => _client.Forward(message));
    }

    public static Props Props(IImmutableSet<ActorPath> contacts) => Akka.Actor.Props.Create(() => new MasterClientActor(contacts));

    /// <summary>The name of the current ClusterClient child: <c>client-1</c>, <c>client-2</c>, … (specs look at it).</summary>
    public static string ClientName(int generation) => $"client-{generation}";

    private IActorRef StartClient() =>
        Context.ActorOf(ClusterClient.Props(ClusterClientSettings.Create(Context.System).WithInitialContacts(_contacts)), ClientName(++_generation));
}

/// <summary>No master answered for a while: drop the current ClusterClient (its receptionist may be gone) and look again.</summary>
public sealed class FindMasterAgain : INoSerializationVerificationNeeded
{
    public static FindMasterAgain Instance { get; } = new();
}
