using System.Diagnostics;
using Scheduler.Client;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Tasks;
using Xunit;

namespace Scheduler.Cli.Tests;

public sealed class SchedulerClientSpecs : IAsyncLifetime
{
    private FakeMaster _master = null!;
    private SchedulerClient _client = null!;

    public async Task InitializeAsync()
    {
        _master = await FakeMaster.StartAsync();
        _client = await SchedulerClient.ConnectAsync(new SchedulerClientOptions([_master.ContactPoint])
        {
            RequestTimeout = TimeSpan.FromSeconds(10),
        });
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _master.DisposeAsync();
    }

    [Fact]
    public async Task SubmitAsync_should_send_the_spec_and_return_the_masters_task()
    {
        var spec = new TaskSpec("t-42", ["sh", "-c", "echo 'a b'"], "/tmp", new Dictionary<string, string> { ["A"] = "1" }, TimeSpan.FromSeconds(30));

        var task = await _client.SubmitAsync("local", spec);

        Assert.Equal(("t-42", "local", TaskState.Pending), (task.TaskId, task.Agent, task.State));
        Assert.Equal(["sh", "-c", "echo 'a b'"], task.Command);
        var received = Assert.IsType<SubmitTask>(Assert.Single(_master.Received));
        Assert.Equal("local", received.Agent);
        Assert.True(received.Spec.SameCommandAs(spec));
    }

    [Fact]
    public async Task SubmitAsync_should_throw_the_error_code_of_an_unknown_agent()
    {
        var spec = new TaskSpec("t-1", ["true"], null, new Dictionary<string, string>(), null);

        var error = await Assert.ThrowsAsync<SchedulerException>(() => _client.SubmitAsync(FakeMaster.UnknownAgent, spec));

        Assert.Equal(ErrorCode.UnknownAgent, error.Code);
        Assert.Equal($"unknown agent '{FakeMaster.UnknownAgent}'", error.Message);
    }

    [Fact]
    public async Task GetTaskAsync_should_map_the_task_and_a_missing_one()
    {
        var task = await _client.GetTaskAsync("t-7");
        var error = await Assert.ThrowsAsync<SchedulerException>(() => _client.GetTaskAsync(FakeMaster.MissingTask));

        Assert.Equal(FakeMaster.View("t-7") with { Command = task.Command }, task);
        Assert.Equal(["echo", "hello"], task.Command);
        Assert.Equal(ErrorCode.NotFound, error.Code);
    }

    [Fact]
    public async Task GetTasksAsync_and_GetHistoryAsync_should_pass_their_filters()
    {
        var tasks = (await _client.GetTasksAsync("far")).Tasks;
        var history = (await _client.GetHistoryAsync(agent: null, taskId: "t-9", limit: 2)).Tasks;

        Assert.Equal(["far", "far"], tasks.Select(t => t.Agent));
        Assert.Equal(2, history.Count);
        Assert.All(history, t => Assert.Equal(("t-9", TaskState.Succeeded, 0), (t.TaskId, t.State, t.ExitCode!.Value)));
        Assert.Contains(new GetHistory(null, "t-9", 2), _master.Received);
        Assert.Contains(new GetTasks("far"), _master.Received);
    }

    [Fact]
    public async Task KillAsync_should_return_the_task_as_the_master_has_it()
    {
        var task = await _client.KillAsync("t-3");

        Assert.Equal((TaskState.Killed, "killed by request"), (task.State, task.Reason));
    }

    [Fact]
    public async Task GetAgentsAsync_should_return_every_agent()
    {
        var agents = await _client.GetAgentsAsync();

        Assert.Equal(["local", "far"], agents.Select(a => a.Name));
        Assert.Equal(["linux", "big"], agents[0].Labels);
        Assert.Null(agents[1].LastSeen);
    }

    [Fact]
    public async Task GetTaskLogAsync_should_page_through_the_whole_log()
    {
        var log = await _client.GetTaskLogAsync("t-5");
        var stderr = TaskLogText.Lines(log, OutputStream.Stderr);

        Assert.Equal(_master.Log, log);
        Assert.True(_master.Received.Count(r => r is GetTaskLog) >= 3, "a log over 64 KiB takes more than one page");
        Assert.All(_master.Received.OfType<GetTaskLog>(), r => Assert.Equal(SchedulerClient.LogChunkBytes, r.MaxBytes));
        Assert.Equal(FakeMaster.LogLines.Where(l => l.Stream == OutputStream.Stderr).Select(l => l.Line), stderr);
        Assert.Equal(FakeMaster.LogLines.Select(l => l.Line), TaskLogText.Lines(log));
    }

    [Fact]
    public async Task FollowTaskLogAsync_should_end_on_a_Lost_task_once_its_polls_bring_nothing_new()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var lines = await ToListAsync(_client.FollowTaskLogAsync(FakeMaster.LostTask, TimeSpan.FromMilliseconds(1), deadline.Token));

        // The Master never says a Lost task's log is whole (its agent is gone): following it ends after this many
        // polls in a row with nothing new, each of which asked whether the task is still Lost.
        Assert.Equal(FakeMaster.LostTaskLines, lines.Select(l => l.Text));
        Assert.Equal(SchedulerClient.FinalIdlePolls, _master.Received.OfType<GetTask>().Count(g => g.TaskId == FakeMaster.LostTask));
    }

    [Fact]
    public async Task A_whole_log_ending_in_a_record_cut_short_should_end_with_that_record_as_a_line()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string[] expected = ["a whole line", "cut sh"];

        var page = await _client.GetTaskLogPageAsync(FakeMaster.CutShortTask);
        var followed = await ToListAsync(_client.FollowTaskLogAsync(FakeMaster.CutShortTask, TimeSpan.FromMilliseconds(1), deadline.Token));

        Assert.Equal(expected, page.Lines.Select(l => l.Text));
        Assert.Equal(OutputStream.Stderr, page.Lines[^1].Stream);
        Assert.Equal((FakeMaster.CutShortLog.Length, true), (page.NextOffset, page.Complete));
        Assert.Equal(expected, followed.Select(l => l.Text));
        Assert.Equal(expected, await _client.GetTaskLogLinesAsync(FakeMaster.CutShortTask));
        // Until the Master says the log is whole, a record without its newline is one still being copied.
        Assert.Equal(["a whole line"], TaskLogText.Lines(FakeMaster.CutShortLog));
    }

    [Fact]
    public async Task FollowTaskLogAsync_should_ask_an_unavailable_master_again_when_told_what_to_do_meanwhile()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var errors = new List<SchedulerException>();

        var lines = await ToListAsync(_client.FollowTaskLogAsync(FakeMaster.MovingTask, TimeSpan.FromMilliseconds(1), deadline.Token, errors.Add));

        Assert.Equal(FakeMaster.LostTaskLines, lines.Select(l => l.Text));
        Assert.Equal(FakeMaster.UnavailableAnswers, errors.Count);
        Assert.All(errors, e => Assert.Equal((ErrorCode.Unavailable, FakeMaster.MovingMessage), (e.Code, e.Message)));
    }

    [Fact]
    public async Task FollowTaskLogAsync_should_end_with_the_error_of_an_unavailable_master_otherwise()
    {
        var error = await Assert.ThrowsAsync<SchedulerException>(() => ToListAsync(_client.FollowTaskLogAsync(FakeMaster.MovingTask, TimeSpan.FromMilliseconds(1))));

        Assert.Equal(ErrorCode.Unavailable, error.Code);
    }

    private static async Task<List<TaskLogLine>> ToListAsync(IAsyncEnumerable<TaskLogLine> lines)
    {
        var list = new List<TaskLogLine>();
        await foreach (var line in lines)
        {
            list.Add(line);
        }

        return list;
    }
}

public sealed class SchedulerClientUnreachableSpecs
{
    [Fact]
    public async Task Requests_should_fail_fast_with_MasterUnreachableException_when_nobody_listens()
    {
        var port = FakeMaster.ClosedPort();
        await using var client = await SchedulerClient.ConnectAsync(new SchedulerClientOptions([$"127.0.0.1:{port}"])
        {
            RequestTimeout = TimeSpan.FromSeconds(1.5),
        });
        var stopwatch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<MasterUnreachableException>(() => client.GetTasksAsync());

        Assert.Equal($"master not reachable at 127.0.0.1:{port} within 1.5s", error.Message);
        Assert.Equal(ErrorCode.Unavailable, error.Code);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(1.4), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task ConnectAsync_should_refuse_a_contact_point_without_port()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => SchedulerClient.ConnectAsync(new SchedulerClientOptions(["localhost"])));

        Assert.StartsWith("'localhost' is not HOST:PORT", error.Message);
    }
}

public sealed class SchedulerClientConfigSpecs
{
    [Fact]
    public async Task Client_config_should_never_put_a_request_on_the_wire_with_the_default_json_serializer()
    {
        using var system = Akka.Actor.ActorSystem.Create("config-check", SchedulerClient.CreateConfig(new SchedulerClientOptions([SchedulerClientOptions.DefaultContactPoint]) { LogLevel = "OFF" }));
        var serialization = system.Serialization;
        var request = new GetTasks(null);
        var wrapped = new Akka.Cluster.Tools.PublishSubscribe.Send(Scheduler.Contracts.SchedulerPaths.SchedulerService, request, localAffinity: false);

        Assert.IsType<Scheduler.Contracts.Serialization.SchedulerSerializer>(serialization.FindSerializerFor(request));
        Assert.IsNotType<Akka.Serialization.NewtonSoftJsonSerializer>(serialization.FindSerializerFor(wrapped));
        await system.Terminate();
    }
}
