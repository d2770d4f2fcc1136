using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Scheduler.Cli.Tests.Support;
using Scheduler.Client;
using Scheduler.TestKit;

namespace Scheduler.Benchmarks.Handover;

/// <summary>
/// Real <c>scheduler master</c> processes on one PostgreSQL database and one <c>scheduler agent</c> process that knows
/// them all, asked as an operator would: <c>scheduler status</c> says which master serves. Several masters list each
/// other as seeds (the same list in the same order); a single one has none. Disposing kills every process this
/// started (SIGKILL of each process tree), also after a start that failed halfway.
/// </summary>
public sealed partial class MasterCluster : IAsyncDisposable
{
    public const string AgentName = "bench";

    /// <summary>
    /// How long one <c>status</c> command waits for an answer. A request sent while the singleton moves is lost (the
    /// proxies still point at the old one), and the command's default 5 s would then hide up to 5 s of service.
    /// </summary>
    public static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How long one <c>status</c> command may take in all before it is killed (a machine under load is slow).</summary>
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(120);

    private readonly string _root;
    private readonly string _configFile;
    private readonly string[] _seedOptions;
    private readonly Dictionary<string, NodeProcess> _masters = [];
    private readonly List<NodeProcess> _started = [];
    private NodeProcess? _agent;

    private MasterCluster(string root, IReadOnlyList<string> addresses)
    {
        _root = root;
        _configFile = Path.Combine(root, "masters.conf");
        Addresses = addresses;
        _seedOptions = addresses.Count > 1 ? addresses.SelectMany(a => new[] { "--seed", a }).ToArray() : [];
    }

    public IReadOnlyList<string> Addresses { get; }

    /// <summary>Every process started so far (killed and restarted ones too), with what it printed on stderr.</summary>
    public IEnumerable<NodeProcess> Nodes => _agent is null ? _started : _started.Append(_agent);

    [GeneratedRegex(@"master at (127\.0\.0\.1:\d+) running")]
    private static partial Regex MasterStarted();

    [GeneratedRegex("agent at .* running")]
    private static partial Regex AgentStarted();

    /// <summary>What the cluster's leader logs when it moves a member to Up.</summary>
    [GeneratedRegex(@"Leader is moving node \[(akka\.tcp://[^\]]+)\] to \[Up\]")]
    private static partial Regex MemberUp();

    /// <summary>
    /// Starts <paramref name="masters"/> masters (all at once) and the agent, on a fresh database, with
    /// <paramref name="extraHocon"/> in every node's --config file; returns when every master is Up in the cluster and a
    /// master serves with the agent connected.
    /// </summary>
    public static async Task<MasterCluster> StartAsync(string root, string connectionString, int masters, string? extraHocon)
    {
        Directory.CreateDirectory(root);
        var cluster = new MasterCluster(root, Enumerable.Range(0, masters).Select(_ => $"127.0.0.1:{LoopbackPorts.Free()}").ToList());
        try
        {
            await File.WriteAllTextAsync(cluster._configFile, $"""
                scheduler.master.journal {"{"} kind = postgresql, connection-string = "{connectionString}" {"}"}
                {extraHocon}
                """);
            await Task.WhenAll(cluster.Addresses.Select(cluster.StartMasterAsync));
            (cluster._agent, _) = await NodeProcess.StartAsync("agent", AgentStarted(),
                ["agent", "--name", AgentName, "--data", Path.Combine(root, "agent"), "--config", cluster._configFile,
                    .. cluster.Addresses.SelectMany(a => new[] { "--master", a })]);
            await Eventually.TrueAsync(() => Task.FromResult(cluster.MembersUp() >= masters), $"{masters} master(s) Up", FormTimeout);
            await cluster.WaitForServingAsync(_ => true, FormTimeout);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the master of <paramref name="address"/> (again, after it was killed: same port, same data folder).</summary>
    public async Task StartMasterAsync(string address)
    {
        var index = Addresses.ToList().IndexOf(address);
        var start = NodeProcess.StartAsync($"master {index}", MasterStarted(),
            ["master", "--port", address.Split(':')[1], "--data", Path.Combine(_root, $"master-{index}"), "--config", _configFile, .. _seedOptions]);
        var (node, _) = await start; // a master that never says it runs is killed by StartAsync itself
        lock (_started)
        {
            _masters[address] = node;
            _started.Add(node);
        }
    }

    /// <summary>kill -9: SIGKILL of the master's process tree, returning once it has exited.</summary>
    public Task KillAsync(string address) => _masters[address].DisposeAsync().AsTask();

    /// <summary>SIGTERM; completes once the master has left and exited, and fails unless it exited with code 0.</summary>
    public async Task StopAsync(string address, TimeSpan patience)
    {
        var code = await _masters[address].StopGracefullyAsync(patience);
        if (code != 0)
        {
            throw new InvalidOperationException($"the master at {address} exited with code {code} after SIGTERM");
        }
    }

    /// <summary>
    /// Polls <c>scheduler status</c> (one command after the other, as an operator's script would) until a master
    /// serves — database available, the agent connected — and <paramref name="accept"/> holds; answers that status,
    /// when the command that got it was started and when it printed the answer, measured on <paramref name="since"/>.
    /// </summary>
    public async Task<(ServingStatus Status, TimeSpan Asked, TimeSpan Answered)> WaitForServingAsync(
        Func<ServingStatus, bool> accept, TimeSpan timeout, Stopwatch? since = null)
    {
        var clock = since ?? Stopwatch.StartNew();
        var deadline = clock.Elapsed + timeout;
        ServingStatus? last = null;
        while (clock.Elapsed < deadline)
        {
            var asked = clock.Elapsed;
            (last, var answered) = await StatusAsync(clock);
            if (last is { Serving: true } status && accept(status))
            {
                return (status, asked, answered);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        throw new TimeoutException($"no master serving with the agent connected within {timeout.TotalSeconds:0} s; last status: {last?.ToString() ?? "no answer"}");
    }

    /// <summary>
    /// Runs <c>scheduler status --json</c> with every master as a contact point and reads the answer as it is printed:
    /// the time is taken then, not when the command has exited (its ActorSystem stops after). Null when no master
    /// answered within <see cref="PollTimeout"/>.
    /// </summary>
    private async Task<(ServingStatus? Status, TimeSpan At)> StatusAsync(Stopwatch clock)
    {
        var environment = new Dictionary<string, string>
        {
            ["SCHEDULER_MASTER"] = string.Join(",", Addresses),
            ["SCHEDULER_REQUEST_TIMEOUT"] = Durations.Format(PollTimeout),
        };
        using var process = Process.Start(SchedulerCommand.StartInfo(["status", "--json"], environment))
                            ?? throw new InvalidOperationException("dotnet did not start");
        _ = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            var json = new StringBuilder();
            (ServingStatus? Status, TimeSpan At) answer = (null, clock.Elapsed);
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                json.AppendLine(line);
                if (line == "}" && answer.Status is null) // the end of the indented document
                {
                    answer = (ServingStatus.Parse(JsonDocument.Parse(json.ToString()).RootElement), clock.Elapsed);
                }
            }

            await process.WaitForExitAsync(timeout.Token);
            return answer;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"scheduler status did not end within {CommandTimeout.TotalSeconds:0} s");
        }
    }

    /// <summary>Writes each node's stderr to <paramref name="folder"/> (one file per process, in start order).</summary>
    public void SaveLogs(string folder)
    {
        Directory.CreateDirectory(folder);
        var i = 0;
        foreach (var node in Nodes)
        {
            File.WriteAllText(Path.Combine(folder, $"{i++:D2}-{node.Name.Replace(' ', '-')}.log"), node.Log + "\n");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes.ToList())
        {
            await node.DisposeAsync();
        }
    }

    private int MembersUp() =>
        _masters.Values.SelectMany(m => MemberUp().Matches(m.Log)).Select(m => m.Groups[1].Value).Distinct().Count();
}

/// <summary>What the handover benchmark reads from <c>scheduler status --json</c>.</summary>
public sealed record ServingStatus(string Node, string? RunId, bool DatabaseAvailable, int AgentsConnected)
{
    /// <summary>The scheduler runs on its database and the benchmark's agent is coupled to it.</summary>
    public bool Serving => DatabaseAvailable && AgentsConnected == 1;

    public static ServingStatus Parse(JsonElement status)
    {
        var agents = status.GetProperty("agents");
        return new ServingStatus(
            status.GetProperty("node").GetString()!,
            status.TryGetProperty("runId", out var run) ? run.GetString() : null,
            status.GetProperty("database").GetProperty("available").GetBoolean(),
            agents.ValueKind == JsonValueKind.Object ? agents.GetProperty("connected").GetInt32() : 0);
    }
}
