using Akka.Configuration;
using Scheduler.Hosting;

namespace Scheduler.Hosting.Tests;

/// <summary>Starting nodes: configuration errors name the file, folders are locked, the command line wins.</summary>
public sealed class NodeStartSpecs : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "scheduler-hosting-specs", Guid.NewGuid().ToString("N")[..10]);

    public NodeStartSpecs() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private Config MasterConfig(string folder) =>
        ConfigurationFactory.ParseString($"scheduler.master.data-dir = \"{Path.Combine(_dir, folder)}\"");

    [Fact]
    public void A_misspelt_scheduler_key_should_fail_naming_the_file_the_key_and_the_nearest_known_one()
    {
        var path = File("typo.conf", "scheduler.agent { name = a1, reconect-window = 1m }\nakka.loglevel = INFO\n");

        var error = Assert.Throws<ConfigurationException>(() => NodeConfig.Load(new NodeOptions(ConfigFile: path), ConfigurationFactory.Empty));

        Assert.Equal($"config file '{path}': unknown key 'scheduler.agent.reconect-window' (did you mean 'scheduler.agent.reconnect-window'?); "
                     + "the scheduler would ignore it (every key: docs/operator-guide.md)", error.Message);
        var far = File("far.conf", "scheduler.master.colour = blue\n");
        Assert.EndsWith("unknown key 'scheduler.master.colour'; the scheduler would ignore it (every key: docs/operator-guide.md)",
            Assert.Throws<ConfigurationException>(() => NodeConfig.Load(new NodeOptions(ConfigFile: far), ConfigurationFactory.Empty)).Message);
        // Jobs are checked by their own reader; akka.* keys are Akka's.
        var jobs = File("jobs.conf", "scheduler.jobs.nightly { command = [\"true\"], agent = a1 }\nakka.whatever = 1\n");
        NodeConfig.Load(new NodeOptions(ConfigFile: jobs), ConfigurationFactory.Empty);
    }

    [Fact]
    public void Malformed_HOCON_should_fail_with_one_line_naming_the_file()
    {
        var path = File("bad.conf", "scheduler { heartbeat-interval = 1s\n");

        var error = Assert.Throws<ConfigurationException>(() => NodeConfig.Load(new NodeOptions(ConfigFile: path), ConfigurationFactory.Empty));

        Assert.StartsWith($"config file '{path}' is not valid HOCON: ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Missing_config_file_should_fail_naming_it()
    {
        var path = Path.Combine(_dir, "nope.conf");

        var error = Assert.Throws<ConfigurationException>(() => NodeConfig.Load(new NodeOptions(ConfigFile: path), ConfigurationFactory.Empty));

        Assert.Equal($"config file '{path}' not found", error.Message);
    }

    [Fact]
    public async Task Invalid_value_in_a_config_file_should_fail_the_start_naming_file_and_key()
    {
        var path = File("master.conf", "scheduler.unreachable-after = soon\n");

        var error = await Assert.ThrowsAsync<ConfigurationException>(() =>
            SchedulerNodes.StartMasterAsync(new NodeOptions(ConfigFile: path, DataDir: Path.Combine(_dir, "m"), Port: 0)));

        Assert.Equal($"{path}: scheduler.unreachable-after = soon is invalid; expected a duration such as 500ms, 10s or 5m", error.Message);
    }

    [Fact]
    public void A_bad_PostgreSQL_connection_string_should_fail_the_start_naming_the_key_but_not_the_password()
    {
        var config = ConfigurationFactory.ParseString(
            "scheduler.master.journal { kind = postgresql, connection-string = \"Host=db;Pasword=s3cret\" }");

        var error = Assert.Throws<ConfigurationException>(() => SchedulerNodes.StartMasterSystem(config, "master.conf", "127.0.0.1", 0));

        Assert.StartsWith("master.conf: scheduler.master.journal.connection-string is invalid: ", error.Message);
        Assert.Contains("pasword", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("s3cret", error.Message);
    }

    [Fact]
    public void A_SQLite_master_with_other_seed_masters_should_be_refused()
    {
        var config = ConfigurationFactory.ParseString("""
            akka.cluster.seed-nodes = ["akka.tcp://scheduler@127.0.0.1:4053", "akka.tcp://scheduler@10.0.0.2:4053"]
            akka.remote.dot-netty.tcp.port = 4053
            """).WithFallback(MasterConfig("ha"));

        var error = Assert.Throws<ConfigurationException>(() => SchedulerNodes.StartMasterSystem(config, "ha.conf", "127.0.0.1", 0));

        Assert.Equal("ha.conf: scheduler.master.journal.kind = sqlite cannot serve a cluster of several masters (akka.cluster.seed-nodes names "
            + "akka.tcp://scheduler@10.0.0.2:4053); use postgresql, the journal all masters share", error.Message);
    }

    [Fact]
    public void A_TLS_master_with_plain_TCP_seed_nodes_should_be_refused_naming_the_key()
    {
        var config = ConfigurationFactory.ParseString("""
            scheduler.tls { enabled = on, ca-certificate = ca.crt, certificate = master.pfx }
            akka.cluster.seed-nodes = ["akka.tcp://scheduler@127.0.0.1:4053"]
            akka.remote.dot-netty.tcp.port = 4053
            """).WithFallback(MasterConfig("tls"));

        var error = Assert.Throws<ConfigurationException>(() => SchedulerNodes.StartMasterSystem(config, "tls.conf", "127.0.0.1", 0));

        Assert.Equal("tls.conf: akka.cluster.seed-nodes has 'akka.tcp://scheduler@127.0.0.1:4053', but with scheduler.tls.enabled = on "
            + "every seed is akka.ssl.tcp://scheduler@HOST:PORT", error.Message);
    }

    [Fact]
    public void PostgreSQL_connection_strings_should_get_timeouts_unless_they_set_them()
    {
        var defaults = new Npgsql.NpgsqlConnectionStringBuilder(Persistence.PostgresJournal.ConnectionString("Host=db;Database=s"));
        var own = new Npgsql.NpgsqlConnectionStringBuilder(Persistence.PostgresJournal.ConnectionString("Host=db;Timeout=30;CommandTimeout=60"));

        Assert.Equal((5, 10), (defaults.Timeout, defaults.CommandTimeout));
        Assert.Equal((30, 60), (own.Timeout, own.CommandTimeout));
    }

    [Fact]
    public async Task Second_master_on_the_same_data_folder_should_be_refused()
    {
        var first = SchedulerNodes.StartMasterSystem(MasterConfig("m"), "test", "127.0.0.1", 0);
        try
        {
            var error = Assert.Throws<ConfigurationException>(() => SchedulerNodes.StartMasterSystem(MasterConfig("m"), "test", "127.0.0.1", 0));

            Assert.Equal($"master data folder '{Path.Combine(_dir, "m")}' is in use by another process", error.Message);
        }
        finally
        {
            await first.Terminate();
        }

        // Released with the first system: the folder can be used again.
        var again = SchedulerNodes.StartMasterSystem(MasterConfig("m"), "test", "127.0.0.1", 0);
        await again.Terminate();
    }

    [Fact]
    public async Task An_agent_with_a_metrics_url_should_serve_metrics_only_and_dashboard_off_should_serve_nothing()
    {
        var path = File("agent.conf", "scheduler.agent.metrics.url = \"http://127.0.0.1:0\"\n");
        var agent = await SchedulerNodes.StartAgentAsync(new NodeOptions(
            ConfigFile: path, DataDir: Path.Combine(_dir, "a"), AgentName: "a1", MasterContacts: ["127.0.0.1:1"]));
        try
        {
            var metrics = Assert.IsType<Dashboard.DashboardServer>(agent.Dashboard);
            using var http = new HttpClient { BaseAddress = metrics.Url };
            Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/metrics")).StatusCode);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync("/api/agents")).StatusCode);
        }
        finally
        {
            await agent.StopAsync();
        }

        var master = await SchedulerNodes.StartMasterAsync(new NodeOptions(DataDir: Path.Combine(_dir, "m"), Port: 0, Dashboard: "off"));
        Assert.Null(master.Dashboard);
        await master.StopAsync();
    }

    [Fact]
    public async Task Port_on_the_command_line_should_win_over_the_config_file()
    {
        // The file names port 1, which no test process may bind: the start only succeeds if --port 0 wins.
        var path = File("master.conf", "akka.remote.dot-netty.tcp.port = 1\n");

        var node = await SchedulerNodes.StartMasterAsync(new NodeOptions(ConfigFile: path, DataDir: Path.Combine(_dir, "m"), Port: 0));
        try
        {
            var port = int.Parse(SchedulerNodes.Address(node.Systems[0]).Split(':')[1]);
            Assert.NotEqual(1, port);
            Assert.StartsWith("master at 127.0.0.1:", node.Description);
        }
        finally
        {
            await node.StopAsync();
        }
    }

    [Fact]
    public async Task A_new_agent_incarnation_should_be_numbered_above_the_last_even_if_the_clock_went_back()
    {
        // The last incarnation was numbered by a clock an hour ahead of this one (the clock has since stepped back).
        var runtime = new Agent.AgentRuntime { LastIncarnation = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds() };
        var before = runtime.LastIncarnation;
        var config = ConfigurationFactory.ParseString($"scheduler.agent {{ name = a1, data-dir = \"{Path.Combine(_dir, "agent")}\" }}");

        var system = SchedulerNodes.StartAgentSystem(config, "test", "127.0.0.1", 0, TimeProvider.System, runtime);
        await system.Terminate();

        Assert.Equal(before + 1, runtime.LastIncarnation);
    }
}
