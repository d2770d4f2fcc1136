using Akka.Configuration;
using Akka.Configuration.Hocon;
using Scheduler.Agent;
using Scheduler.Core.Configuration;
using Scheduler.Core.Security;
using Scheduler.Master;

namespace Scheduler.Hosting.Tests;

/// <summary>
/// The files operators copy (hocon/*.conf and the topologies in its folders) are well-formed, their settings valid
/// for the node each file is for, their scheduler.* keys ones the readers know (Akka ignores a misspelt key), and the
/// files of one topology fit together. The operator guide names every key of the reference files.
/// </summary>
public sealed class ShippedConfigSpecs
{
    private static readonly string Root = RepositoryRoot();
    private static readonly string HoconFolder = Path.Combine(Root, "hocon");

    /// <summary>Topology folders: files that start nodes meant to run together.</summary>
    private static readonly string[] Topologies = ["one-host", "three-masters", "tls"];

    public static TheoryData<string> Files() =>
        new(Directory.GetFiles(HoconFolder, "*.conf", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(HoconFolder, f)));

    public static TheoryData<string> TopologyFolders() => new(Topologies);

    [Theory]
    [MemberData(nameof(Files))]
    public void Shipped_file_should_be_well_formed_and_valid(string name)
    {
        var config = Load(name);
        var master = MasterSettings.Create(config, name);
        if (name.StartsWith("jobs", StringComparison.Ordinal))
        {
            Assert.NotEmpty(master.Jobs);
        }

        // A file for an agent names it; the others get a name as `scheduler agent --name` would give one.
        var agentConfig = IsAgent(name) ? config : ConfigurationFactory.ParseString("scheduler.agent.name = a1").WithFallback(config);
        var agent = AgentSettings.Create(agentConfig, name);
        TlsSettings.Create(config, name);
        if (Path.GetFileName(name).StartsWith("standalone", StringComparison.Ordinal))
        {
            master.CheckedAgainstAgentWindow(agent.ReconnectWindow, agent.KillGrace, name);
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Shipped_file_should_set_only_keys_the_scheduler_reads(string name)
    {
        Assert.Null(SchedulerKeys.Problem(Load(name)));
    }

    [Theory]
    [MemberData(nameof(TopologyFolders))]
    public void Topology_files_should_fit_together(string folder)
    {
        var files = Directory.GetFiles(Path.Combine(HoconFolder, folder), "*.conf").Select(f => Path.Combine(folder, Path.GetFileName(f))).ToList();
        var masters = files.Where(f => !IsAgent(f) && !IsClient(f)).Select(f => (File: f, Config: Load(f), Settings: MasterSettings.Create(Load(f), f))).ToList();
        var agents = files.Where(IsAgent).Select(f => (File: f, Config: Load(f), Settings: AgentSettings.Create(Load(f), f))).ToList();
        Assert.NotEmpty(masters);
        Assert.NotEmpty(agents);

        // All with TLS (and the same CA) or none: a plain node and a TLS node cannot talk.
        var tls = files.Select(f => TlsSettings.Create(Load(f), f)).ToList();
        Assert.Single(tls.Select(t => (t.Enabled, t.CaCertificate)).Distinct());

        // Every node on its own fixed port; every agent its own name and data folder.
        var endpoints = masters.Select(m => Endpoint(m.Config)).Concat(agents.Select(a => Endpoint(a.Config))).ToList();
        Assert.DoesNotContain(endpoints, e => e.EndsWith(":0", StringComparison.Ordinal));
        Assert.Equal(endpoints.Count, endpoints.Distinct().Count());
        Assert.Equal(agents.Count, agents.Select(a => a.Settings.Name).Distinct().Count());
        Assert.Equal(agents.Count, agents.Select(a => a.Settings.DataDir).Distinct().Count());

        // Agents reach every master of the topology, and agree with the masters on the heartbeat timers.
        var masterEndpoints = masters.Select(m => Endpoint(m.Config)).Order().ToList();
        foreach (var (_, _, agent) in agents)
        {
            Assert.Equal(masterEndpoints, agent.Masters.Order().ToList());
            Assert.All(masters, m => Assert.Equal(
                (m.Settings.HeartbeatInterval, m.Settings.UnreachableAfter), (agent.HeartbeatInterval, agent.UnreachableAfter)));
        }

        if (masters.Count == 1)
        {
            Assert.Empty(Seeds(masters[0].Config));
            return;
        }

        // Several masters: one PostgreSQL database, and the same seed list in the same order, naming each of them.
        Assert.True(masters.Count >= 3, "a cluster of masters needs at least three to survive the loss of one");
        Assert.All(masters, m => Assert.Equal(JournalKind.PostgreSql, m.Settings.JournalKind));
        Assert.Single(masters.Select(m => m.Settings.ConnectionString).Distinct());
        var seeds = Seeds(masters[0].Config);
        Assert.All(masters, m => Assert.Equal(seeds, Seeds(m.Config)));
        Assert.Equal(masterEndpoints.Select(e => SchedulerNodes.SeedAddress(e, TlsSettings.Create(masters[0].Config).Enabled)).Order(), seeds.Order());
    }

    [Fact]
    public void Operator_guide_should_document_every_key_of_the_reference_files()
    {
        var guide = File.ReadAllText(Path.Combine(Root, "docs", "operator-guide.md"));

        var missing = SchedulerKeys.All
            .Distinct()
            .Where(key => !guide.Contains($"`{key}`", StringComparison.Ordinal))
            .ToList();

        Assert.Empty(missing);
    }

    private static Config Load(string name)
    {
        var text = File.ReadAllText(Path.Combine(HoconFolder, name));
        Assert.Null(HoconCheck.Problem(text));
        return ConfigurationFactory.ParseString(text);
    }

    private static bool IsAgent(string name) => Path.GetFileName(name).StartsWith("agent", StringComparison.Ordinal);

    /// <summary>A file for the client commands (<c>--config</c>): only its scheduler.tls is read.</summary>
    private static bool IsClient(string name) => Path.GetFileName(name).StartsWith("client", StringComparison.Ordinal);

    private static string Endpoint(Config config) =>
        $"{config.GetString("akka.remote.dot-netty.tcp.hostname")}:{config.GetInt("akka.remote.dot-netty.tcp.port")}";

    private static IReadOnlyList<string> Seeds(Config config) =>
        config.HasPath("akka.cluster.seed-nodes") ? config.GetStringList("akka.cluster.seed-nodes").ToList() : [];

    /// <summary>The full paths of every value that is not an object (lists count as values).</summary>
    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Scheduler.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("Scheduler.sln not found above " + AppContext.BaseDirectory);
    }
}
