using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Scheduler.Client;
using Scheduler.Contracts.Client;
using Scheduler.TestKit;
using Xunit.Abstractions;

namespace Scheduler.Master.Tests;

/// <summary>
/// <see cref="RequestSenders"/>, through which SchedulerClient, the TestKit and the benchmarks ask the masters: a few
/// long-lived senders instead of Ask's new temporary actor per request, for which the master's receptionist made a
/// response tunnel each time.
/// </summary>
public sealed class RequestSendersSpecs(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    [Fact]
    public async Task A_clients_requests_should_share_one_response_tunnel_per_request_in_flight_at_the_master()
    {
        await using var cluster = await TestCluster.StartAsync();
        await using var client = await cluster.ConnectClientAsync();

        for (var i = 0; i < 20; i++)
        {
            await client.GetStatusAsync();
        }

        Assert.Equal(1, await ClientTunnelsAsync(cluster.Master));

        for (var round = 0; round < 5; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.GetStatusAsync()));
        }

        // Never more than four requests in flight: at most four senders, each with its tunnel (the receptionist keeps
        // an idle tunnel for 30 s, so with a sender per request there would be 40 here).
        Assert.InRange(await ClientTunnelsAsync(cluster.Master), 1, 4);
    }

    [Fact]
    public async Task A_sender_whose_request_timed_out_should_not_take_its_late_answer_for_the_next_request()
    {
        var clusterClient = CreateTestProbe();
        var senders = new RequestSenders(Sys, clusterClient);

        var first = senders.AskAsync(GetStatus.Instance, TimeSpan.FromMilliseconds(300), CancellationToken.None);
        clusterClient.ExpectMsg<ClusterClient.Send>(s => s.Message is GetStatus);
        var lateTo = clusterClient.LastSender;
        await Assert.ThrowsAsync<AskTimeoutException>(() => first);

        var second = senders.AskAsync(new GetTask("t-1"), TimeSpan.FromSeconds(10), CancellationToken.None);
        clusterClient.ExpectMsg<ClusterClient.Send>(s => s.Message is GetTask);
        var secondSender = clusterClient.LastSender;
        // The first answer arrives late, at the first sender; then the second request's own answer.
        lateTo.Tell(new RequestFailed(ErrorCode.Unavailable, "late answer to the first request"));
        secondSender.Tell(new RequestFailed(ErrorCode.NotFound, "answer to the second request"));

        Assert.NotEqual(lateTo, secondSender);
        Assert.Equal(ErrorCode.NotFound, ((RequestFailed)await second).Code);
    }

    [Fact]
    public async Task A_sender_should_be_used_again_once_its_answer_came()
    {
        var clusterClient = CreateTestProbe();
        var senders = new RequestSenders(Sys, clusterClient);
        var answered = new List<IActorRef>();

        for (var i = 0; i < 3; i++)
        {
            var asked = senders.AskAsync(GetStatus.Instance, TimeSpan.FromSeconds(10), CancellationToken.None);
            clusterClient.ExpectMsg<ClusterClient.Send>();
            answered.Add(clusterClient.LastSender);
            clusterClient.LastSender.Tell(new RequestFailed(ErrorCode.Unavailable, $"answer {i}"));
            Assert.Equal($"answer {i}", ((RequestFailed)await asked).Message);
        }

        Assert.Single(answered.Distinct());
    }

    [Fact]
    public async Task Stop_should_stop_the_idle_senders()
    {
        var clusterClient = CreateTestProbe();
        var senders = new RequestSenders(Sys, clusterClient);
        var asked = senders.AskAsync(GetStatus.Instance, TimeSpan.FromSeconds(10), CancellationToken.None);
        clusterClient.ExpectMsg<ClusterClient.Send>();
        var sender = clusterClient.LastSender;
        sender.Tell(new RequestFailed(ErrorCode.Unavailable, "answer"));
        await asked;
        Watch(sender);

        senders.Stop();

        ExpectTerminated(sender);
    }

    /// <summary>The master's receptionist's response tunnels to senders of the client's ActorSystem.</summary>
    private static async Task<int> ClientTunnelsAsync(ActorSystem master)
    {
        var inbox = Inbox.Create(master);
        master.ActorSelection("/system/receptionist/*").Tell(new Identify(null), inbox.Receiver);
        var tunnels = 0;
        while (true)
        {
            try
            {
                if (await inbox.ReceiveAsync(TimeSpan.FromSeconds(2)) is ActorIdentity { Subject: { } tunnel }
                    && Uri.UnescapeDataString(tunnel.Path.Name).Contains(SchedulerClient.ClientSystemName, StringComparison.Ordinal))
                {
                    tunnels++;
                }
            }
            catch (TimeoutException)
            {
                return tunnels;
            }
        }
    }
}
