using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Scheduler.Contracts.Tasks;
using Scheduler.TestKit;

namespace Scheduler.Cli.Tests;

/// <summary>One real master and agent (in this process, on loopback) for <see cref="BadInputSpecs"/>.</summary>
public sealed class BadInputCluster : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await TestCluster.StartAsync("a1");

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// Bad input through the scheduler command against a real master and agent: each is one clear line (or a task that ends
/// Failed with the reason), and the nodes keep serving.
/// </summary>
public sealed class BadInputSpecs(BadInputCluster fixture) : IClassFixture<BadInputCluster>
{
    private TestCluster Cluster => fixture.Cluster;

    private Task<(int ExitCode, string Out, string[] Errors)> RunAsync(params string[] args) =>
        TestConsole.For(Cluster.MasterAddress, "20s").RunAsync(args);

    [Fact]
    public async Task An_empty_or_overlong_command_line_should_be_refused_with_one_line()
    {
        var empty = await RunAsync("submit", "--agent", "a1", "--", "");
        var overlong = await RunAsync("submit", "--agent", "a1", "--", "echo", new string('x', 70_000));

        Assert.Equal((2, ""), (empty.ExitCode, empty.Out));
        Assert.StartsWith("error: no command given: put it after '--'", Assert.Single(empty.Errors));
        Assert.Equal((1, ""), (overlong.ExitCode, overlong.Out));
        Assert.Equal(["error: the command line is longer than 65536 characters"], overlong.Errors);
    }

    [Fact]
    public async Task A_task_or_request_too_large_for_a_frame_should_be_refused_naming_its_size_instead_of_being_dropped()
    {
        // 120,000 characters of environment: within Akka's 128,000-byte frame as text, but not as a task (64,000 bytes
        // serialized at most, so its start and its journal event fit a frame too). And 'ü' is 6 bytes in JSON.
        var environment = await RunAsync("submit", "--agent", "a1", "--env", "BIG=" + new string('x', 120_000), "--", "true");
        var umlauts = await RunAsync("submit", "--agent", "a1", "--", "echo", new string('ü', 20_000));
        // A jobs file that parses but is larger than any frame: Akka's transport would drop it without a word.
        var jobs = Path.Combine(Cluster.Root, "many.conf");
        await File.WriteAllLinesAsync(jobs, Enumerable.Range(1, 200).Select(i =>
            $"scheduler.jobs.j{i} {{ command = [\"echo\", \"{new string('y', 1_000)}\"], agent = a1 }}"));
        var tooBig = await RunAsync("job", "add", jobs);

        Assert.Equal(1, environment.ExitCode);
        Assert.Matches(@"^error: the task is 120\d{3} bytes serialized \(command, environment and working directory together\); at most 64000 fit in a message$",
            Assert.Single(environment.Errors));
        Assert.Matches(@"^error: the task is 120\d{3} bytes serialized ", Assert.Single(umlauts.Errors));
        Assert.Equal(1, tooBig.ExitCode);
        Assert.Matches(@"^error: the request \(AddJobs\) is 2\d{5} bytes serialized, more than the 124000 bytes a message may carry "
                       + @"\(akka.remote.dot-netty.tcp.maximum-frame-size = 128000 less its envelope\); nothing was sent$", Assert.Single(tooBig.Errors));
        Assert.Equal(0, (await RunAsync("status")).ExitCode);
    }

    [Fact]
    public async Task A_missing_executable_or_working_directory_should_end_the_task_Failed_with_the_reason()
    {
        var missing = await RunAsync("submit", "--agent", "a1", "--id", "bad-exe", "--", "/no/such/program", "x");
        var noDir = await RunAsync("submit", "--agent", "a1", "--id", "bad-cwd", "--cwd", "/no/such/dir", "--", "true");
        Assert.Equal((0, 0), (missing.ExitCode, noDir.ExitCode));
        await Cluster.WaitForFinalAsync("bad-exe");
        await Cluster.WaitForFinalAsync("bad-cwd");

        var exe = await TaskJsonAsync("bad-exe");
        var cwd = await TaskJsonAsync("bad-cwd");

        Assert.Equal(("Failed", "cannot start '/no/such/program': No such file or directory"), exe);
        Assert.Equal(("Failed", "working directory '/no/such/dir' does not exist"), cwd);
    }

    [Fact]
    public async Task A_task_id_used_with_another_command_should_be_refused_and_the_same_command_answered()
    {
        var first = await RunAsync("submit", "--agent", "a1", "--id", "dup-1", "--", "true");
        var again = await RunAsync("submit", "--agent", "a1", "--id", "dup-1", "--", "true");
        var other = await RunAsync("submit", "--agent", "a1", "--id", "dup-1", "--", "false");

        Assert.Equal((0, "dup-1\n"), (first.ExitCode, first.Out));
        Assert.Equal((0, "dup-1\n"), (again.ExitCode, again.Out));
        Assert.Equal((1, ""), (other.ExitCode, other.Out));
        Assert.Equal(["error: task id 'dup-1' is already used (agent 'a1', command [true])"], other.Errors);
    }

    [Fact]
    public async Task Random_bytes_to_the_masters_and_the_agents_remoting_ports_should_leave_both_serving()
    {
        var random = new Random(9);
        foreach (var address in new[] { Cluster.MasterAddress, Scheduler.Hosting.SchedulerNodes.Address(Cluster.Agent("a1")) })
        {
            var port = int.Parse(address.Split(':')[1]);
            // Plain garbage; a frame header announcing 2 GB; a well-formed frame of 1,000 random bytes.
            var frame = new byte[1_004];
            random.NextBytes(frame);
            BitConverter.TryWriteBytes(frame.AsSpan(0, 4), System.Net.IPAddress.HostToNetworkOrder(1_000));
            foreach (var garbage in new[] { Bytes(random, 65_536), [0x7f, 0xff, 0xff, 0xff, 1, 2, 3], frame })
            {
                await SendAsync(port, garbage);
            }
        }

        // Both still serve: the master answers the command, and the agent runs a task the master sends it.
        var submit = await RunAsync("submit", "--agent", "a1", "--id", "after-garbage", "--", "sh", "-c", "echo fine");
        Assert.Equal(0, submit.ExitCode);
        Assert.Equal(TaskState.Succeeded, (await Cluster.WaitForFinalAsync("after-garbage")).State);
        await Cluster.WaitForCompleteLogAsync("after-garbage");
        var logs = await RunAsync("logs", "after-garbage");
        Assert.Equal((0, "fine\n"), (logs.ExitCode, logs.Out));
    }

    /// <summary>Connects, writes, and waits (bounded) until the node closes the connection or 2 s pass.</summary>
    private static async Task SendAsync(int port, byte[] garbage)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(garbage);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var buffer = new byte[1024];
            while (await stream.ReadAsync(buffer, wait.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // Reset by the node, or left open: either is fine, the node must only keep serving.
        }
    }

    private static byte[] Bytes(Random random, int size)
    {
        var bytes = new byte[size];
        random.NextBytes(bytes);
        return bytes;
    }

    private async Task<(string State, string Reason)> TaskJsonAsync(string taskId)
    {
        var (exitCode, output, _) = await RunAsync("task", taskId, "--json");
        Assert.Equal(0, exitCode);
        using var json = JsonDocument.Parse(output);
        return (json.RootElement.GetProperty("state").GetString()!, json.RootElement.GetProperty("reason").GetString()!);
    }
}
