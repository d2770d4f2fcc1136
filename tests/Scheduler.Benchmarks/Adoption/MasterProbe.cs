using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Scheduler.Contracts;
using Scheduler.Contracts.Client;
using Scheduler.Client;

namespace Scheduler.Benchmarks.Adoption;

/// <summary>
/// Asks the Master through a real ClusterClient and <see cref="RequestSenders"/>, as integrators and the CLI do (see
/// the Master specs' TestCluster). Queries are idempotent and asked again when ClusterClient loses an answer. The client's ActorSystem
/// has <see cref="SchedulerClient"/>'s settings: with Akka's ClusterClient defaults a probe whose master was killed
/// kept asking the dead one for 13 s, and the scale benchmark measured that instead of the master's restart.
/// </summary>
public sealed class MasterProbe : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly RequestSenders _senders;

    public MasterProbe(string masterAddress)
    {
        _system = ActorSystem.Create("benchmark-client", SchedulerClient.CreateConfig(new SchedulerClientOptions([masterAddress]) { LogLevel = "ERROR" }));
        var contact = ActorPath.Parse($"akka.tcp://{SchedulerPaths.SystemName}@{masterAddress}/system/receptionist");
        _senders = new RequestSenders(_system, _system.ActorOf(ClusterClient.Props(ClusterClientSettings.Create(_system).WithInitialContacts([contact])), "client"));
    }

    public async Task<T> QueryAsync<T>(IClientRequest request, TimeSpan answerTimeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var answer = await _senders.AskAsync(request, answerTimeout, cancellationToken);
                return answer is T t ? t : throw new InvalidOperationException($"expected {typeof(T).Name}, got {answer}");
            }
            catch (AskTimeoutException) when (DateTime.UtcNow < deadline)
            {
            }
        }
    }

    public async ValueTask DisposeAsync() => await _system.Terminate();
}
