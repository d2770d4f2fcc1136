using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster;

namespace Scheduler.Master.Tests.Support;

/// <summary>Records every member a cluster node's failure detector marks unreachable (a leave never does).</summary>
public sealed class UnreachableRecorder : ReceiveActor
{
    public UnreachableRecorder(ConcurrentQueue<Address> seen)
    {
        Receive<ClusterEvent.UnreachableMember>(u => seen.Enqueue(u.Member.Address));
        ReceiveAny(_ => { });
    }

    protected override void PreStart() =>
        Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.UnreachableMember));
}

public static class Unreachables
{
    /// <summary>The members <paramref name="system"/> marks unreachable from now on.</summary>
    public static ConcurrentQueue<Address> Record(ActorSystem system)
    {
        var seen = new ConcurrentQueue<Address>();
        system.ActorOf(Props.Create(() => new UnreachableRecorder(seen)));
        return seen;
    }
}
