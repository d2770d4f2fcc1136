using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Cluster;
using Akka.Configuration;
using Scheduler.Cli.Tests.Support;
using Scheduler.Client;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Security;
using Scheduler.Hosting;
using SchedulerException = Scheduler.Client.SchedulerException;
using Xunit;

namespace Scheduler.Cli.Tests;

/// <summary>
/// A master and an agent with mutual TLS (certificates from <c>scheduler certs init</c>), in this process, on loopback:
/// work flows for peers with a certificate of the cluster's CA, and nobody else gets in — not a plaintext peer, not one
/// with a certificate of another CA, not one with an expired certificate of the right CA.
/// </summary>
public sealed class TransportSecuritySpecs(TransportSecuritySpecs.TlsCluster cluster) : IClassFixture<TransportSecuritySpecs.TlsCluster>
{
    private static readonly TimeSpan Refused = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task A_TLS_master_and_agent_should_run_a_task_submitted_by_a_TLS_client()
    {
        await using var client = await cluster.ClientAsync(cluster.Tls("client"));

        var submitted = await client.SubmitAsync("agent-1", Spec("secure-1", "echo secure"));
        var done = await Eventually.ValueAsync(() => client.GetTaskAsync("secure-1"), t => t.State == TaskState.Succeeded, "secure-1 Succeeded");
        var log = await Eventually.ValueAsync(() => client.GetTaskLogLinesAsync("secure-1"), l => l.Count > 0, "secure-1 log");

        Assert.Equal(TaskState.Pending, submitted.State);
        Assert.Equal(0, done.ExitCode);
        Assert.Contains(log, line => line.Contains("secure", StringComparison.Ordinal));
        Assert.Equal(TransportSecurity.TlsProtocol, ((ExtendedActorSystem)cluster.Master.Systems[0]).Provider.DefaultAddress.Protocol);
    }

    [Fact]
    public async Task Agents_without_a_certificate_of_the_clusters_CA_should_not_register_nor_get_tasks()
    {
        // Started together with an agent that has a good certificate: once that one is Connected, the others had their chance.
        var good = SchedulerNodes.StartAgentAsync(cluster.AgentOptions("agent-2", cluster.ConfigFile("agent-2")));
        var foreign = SchedulerNodes.StartAgentAsync(cluster.AgentOptions("rogue", cluster.ConfigFile("rogue", cluster.OtherCa)));
        var plain = SchedulerNodes.StartAgentAsync(cluster.AgentOptions("plain", configFile: null));
        await using var goodAgent = await good;
        await using var foreignAgent = await foreign;
        await using var plainAgent = await plain;
        await using var client = await cluster.ClientAsync(cluster.Tls("client"));

        await Eventually.TrueAsync(async () => (await client.GetAgentsAsync()).Any(a => a is { Name: "agent-2", State: AgentState.Connected }), "agent-2 Connected");
        await Task.Delay(TimeSpan.FromSeconds(3));

        var agents = (await client.GetAgentsAsync()).Select(a => a.Name).ToList();
        var rogueTask = await Assert.ThrowsAsync<SchedulerException>(() => client.SubmitAsync("rogue", Spec("to-rogue", "true")));
        var plainTask = await Assert.ThrowsAsync<SchedulerException>(() => client.SubmitAsync("plain", Spec("to-plain", "true")));

        Assert.DoesNotContain("rogue", agents);
        Assert.DoesNotContain("plain", agents);
        Assert.Equal((ErrorCode.UnknownAgent, ErrorCode.UnknownAgent), (rogueTask.Code, plainTask.Code));
    }

    [Fact]
    public async Task Clients_without_a_valid_certificate_of_the_clusters_CA_should_be_refused()
    {
        var plain = TlsSettings.Disabled;
        var foreign = cluster.Tls("rogue-client", cluster.OtherCa) with { CaCertificate = cluster.Tls("client").CaCertificate, CheckOwnCertificate = false };
        var expired = cluster.Tls("expired-client") with { CheckOwnCertificate = false };

        var attempts = new[] { ("plain", plain), ("foreign", foreign), ("expired", expired) }.Select(async attempt =>
        {
            await using var client = await cluster.ClientAsync(attempt.Item2, Refused);
            return await Record.ExceptionAsync(() => client.SubmitAsync("agent-1", Spec($"refused-{attempt.Item1}", "true")));
        });
        var errors = await Task.WhenAll(attempts);
        await using var good = await cluster.ClientAsync(cluster.Tls("client"));
        var notFound = await Task.WhenAll(new[] { "plain", "foreign", "expired" }.Select(name =>
            Assert.ThrowsAsync<SchedulerException>(() => good.GetTaskAsync($"refused-{name}"))));

        Assert.All(errors, e => Assert.IsType<MasterUnreachableException>(e));
        Assert.All(notFound, e => Assert.Equal(ErrorCode.NotFound, e.Code));
    }

    [Fact]
    public async Task A_master_with_a_certificate_of_another_CA_should_not_join_the_cluster()
    {
        using var security = TransportSecurity.Load(
            cluster.Tls("rogue", cluster.OtherCa) with { CaCertificate = cluster.Tls("client").CaCertificate, CheckOwnCertificate = false }, "test");
        var config = TransportSecurity.Hocon.WithFallback(ConfigurationFactory.ParseString("""
            akka.actor.provider = cluster
            akka.cluster.roles = [master]
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            akka.loglevel = WARNING
            """));
        var rogue = ActorSystem.Create("scheduler", ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(config), security.Setup()));
        try
        {
            var master = Cluster.Get(cluster.Master.Systems[0]);
            Cluster.Get(rogue).Join(master.SelfAddress);
            await Task.Delay(TimeSpan.FromSeconds(5));

            Assert.Single(master.State.Members);
            Assert.NotEqual(MemberStatus.Up, Cluster.Get(rogue).SelfMember.Status);
        }
        finally
        {
            await rogue.Terminate();
        }
    }

    [Fact]
    public async Task The_CLI_should_reach_a_TLS_master_with_the_SCHEDULER_TLS_variables_or_a_config_file_and_not_without()
    {
        var tls = cluster.Tls("client");
        var withVariables = await RunCliAsync(new Dictionary<string, string>
        {
            ["SCHEDULER_TLS_CA_CERTIFICATE"] = tls.CaCertificate,
            ["SCHEDULER_TLS_CERTIFICATE"] = tls.Certificate,
        }, "agents", "--json");
        var withFile = await RunCliAsync([], "agents", "--json", "--config", cluster.ConfigFile("client"));
        var without = await RunCliAsync(new Dictionary<string, string> { ["SCHEDULER_REQUEST_TIMEOUT"] = "3s" }, "agents", "--json");

        Assert.Equal(0, withVariables.ExitCode);
        Assert.Contains("\"agent-1\"", withVariables.Out);
        Assert.Equal(0, withFile.ExitCode);
        Assert.Equal((1, ""), (without.ExitCode, without.Out));
        Assert.StartsWith("error: master not reachable at ", without.Error);
    }

    [Fact]
    public async Task The_CLI_with_an_expired_certificate_should_stop_at_once_naming_the_file()
    {
        var tls = cluster.Tls("expired-client");

        var (exitCode, _, error) = await RunCliAsync(new Dictionary<string, string>
        {
            ["SCHEDULER_TLS_CA_CERTIFICATE"] = tls.CaCertificate,
            ["SCHEDULER_TLS_CERTIFICATE"] = tls.Certificate,
        }, "status");

        Assert.Equal(2, exitCode);
        Assert.Matches($"^error: SCHEDULER_TLS_\\* variables: scheduler.tls.certificate '{tls.Certificate}' expired on .*; issue a new one with `scheduler certs issue`\n$", error);
    }

    private async Task<(int ExitCode, string Out, string Error)> RunCliAsync(Dictionary<string, string> environment, params string[] args)
    {
        var console = TestConsole.For(cluster.MasterAddress, "20s");
        foreach (var (name, value) in environment)
        {
            console.With(name, value);
        }

        var exitCode = await SchedulerCli.RunAsync(args, console.Console);
        return (exitCode, console.Out.ToString(), console.Error.ToString());
    }

    private static TaskSpec Spec(string id, string script) => new(id, ["sh", "-c", script], null, new Dictionary<string, string>(), null);

    /// <summary>Certificates of the cluster's CA and of another one, a TLS master and a TLS agent named agent-1.</summary>
    public sealed class TlsCluster : IAsyncLifetime
    {
        public string Root { get; } = Path.Combine(Path.GetTempPath(), "scheduler-tls-specs", Guid.NewGuid().ToString("N")[..10]);

        public string Ca => Path.Combine(Root, "certs");

        public string OtherCa => Path.Combine(Root, "other-certs");

        public RunningNode Master { get; private set; } = null!;

        public RunningNode Agent { get; private set; } = null!;

        public string MasterAddress { get; private set; } = "";

        public async Task InitializeAsync()
        {
            // Issued a day back, so a certificate that expired an hour ago still lies within the CA's validity.
            var yesterday = DateTimeOffset.UtcNow.AddDays(-1);
            ClusterCertificates.Init(Ca, ["master", "agent-1", "agent-2", "client"], TimeSpan.FromDays(30), yesterday);
            ClusterCertificates.Init(OtherCa, ["rogue", "rogue-client"], TimeSpan.FromDays(30), yesterday);
            using (var authority = ClusterCertificates.LoadPkcs12(Path.Combine(Ca, ClusterCertificates.CaKeyFile), null))
            using (var expired = ClusterCertificates.Issue(authority, "expired-client", yesterday, DateTimeOffset.UtcNow.AddHours(-1)))
            {
                await File.WriteAllBytesAsync(ClusterCertificates.CertificatePath(Ca, "expired-client"), expired.Export(X509ContentType.Pkcs12));
            }

            Master = await SchedulerNodes.StartMasterAsync(new NodeOptions(ConfigFile: ConfigFile("master"), DataDir: Path.Combine(Root, "master"), Port: 0));
            MasterAddress = SchedulerNodes.Address(Master.Systems[0]);
            Agent = await SchedulerNodes.StartAgentAsync(AgentOptions("agent-1", ConfigFile("agent-1")));
            await using var client = await ClientAsync(Tls("client"));
            await Eventually.TrueAsync(async () => (await client.GetAgentsAsync()).Any(a => a is { Name: "agent-1", State: AgentState.Connected }), "agent-1 Connected");
        }

        public TlsSettings Tls(string name, string? folder = null) =>
            new(true, Path.Combine(folder ?? Ca, ClusterCertificates.CaCertificateFile), ClusterCertificates.CertificatePath(folder ?? Ca, name), null);

        /// <summary>A --config file with the scheduler.tls block of <paramref name="name"/>'s certificate.</summary>
        public string ConfigFile(string name, string? folder = null)
        {
            var tls = Tls(name, folder);
            var path = Path.Combine(Root, $"{name}-{Path.GetFileName(folder ?? Ca)}.conf");
            File.WriteAllText(path, $"scheduler.tls {{\n  enabled = on\n  ca-certificate = \"{tls.CaCertificate}\"\n  certificate = \"{tls.Certificate}\"\n}}\n");
            return path;
        }

        public NodeOptions AgentOptions(string name, string? configFile) =>
            new(ConfigFile: configFile, DataDir: Path.Combine(Root, name), Port: 0, MasterContacts: [MasterAddress], AgentName: name);

        public Task<SchedulerClient> ClientAsync(TlsSettings tls, TimeSpan? timeout = null) =>
            SchedulerClient.ConnectAsync(new SchedulerClientOptions([MasterAddress]) { Tls = tls, RequestTimeout = timeout ?? TimeSpan.FromSeconds(20) });

        public async Task DisposeAsync()
        {
            if (Agent is not null)
            {
                await Agent.StopAsync();
            }

            if (Master is not null)
            {
                await Master.StopAsync();
            }

            Directory.Delete(Root, recursive: true);
        }
    }
}
