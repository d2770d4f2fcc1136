using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Scheduler.Client;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Serialization;
using Scheduler.Contracts.Tasks;
using Scheduler.TestKit;
using Xunit.Abstractions;

namespace Scheduler.Dashboard.Tests;

/// <summary>The JSON API under /api/ on real Kestrel (a free loopback port) in front of a real in-process cluster.</summary>
public sealed class DashboardApiSpecs(ITestOutputHelper output) : SchedulerSpec(output)
{
    private static readonly JsonSerializerOptions Json = SchedulerSerializer.CreateOptions();

    private DashboardServer _dashboard = null!;
    private HttpClient _http = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _dashboard = await Cluster.StartDashboardAsync();
        _http = new HttpClient { BaseAddress = _dashboard.Url };
    }

    public override async Task DisposeAsync()
    {
        _http?.Dispose();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Agents_and_tasks_should_answer_the_cli_json_shapes()
    {
        var task = await MarkedTask.StartAsync(Cluster, "a1");

        using var agents = JsonDocument.Parse(await _http.GetStringAsync("/api/agents"));
        var agent = Assert.Single(agents.RootElement.EnumerateArray());
        Assert.Equal(["name", "state", "lastSeen", "runningTasks", "labels", "windowEndsAt", "lostAt", "adoptedOffset", "journalEnd"],
            agent.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Connected", agent.GetProperty("state").GetString());
        Assert.Equal(1, agent.GetProperty("runningTasks").GetInt32());
        // Replay progress: everything the agent journaled (accepted, started) is adopted.
        Assert.Equal(agent.GetProperty("journalEnd").GetInt64(), agent.GetProperty("adoptedOffset").GetInt64());
        Assert.True(agent.GetProperty("adoptedOffset").GetInt64() >= 2);

        var tasks = await _http.GetFromJsonAsync<List<TaskView>>("/api/tasks", Json);
        Assert.Equal(task.Task.TaskId, Assert.Single(tasks!).TaskId);
        Assert.Equal(TaskState.Running, tasks![0].State);

        var missing = await _http.GetAsync("/api/task/no-such-task");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("NotFound", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        await task.FinishAsync(Cluster);
    }

    [Fact]
    public async Task History_should_page_newest_first_and_filter_by_state()
    {
        var ids = new List<string>();
        foreach (var command in new[] { "true", "false", "true", "false", "true" })
        {
            var submitted = await Cluster.SubmitAsync("a1", command);
            await Cluster.WaitForFinalAsync(submitted.TaskId);
            ids.Add(submitted.TaskId);
        }

        ids.Reverse();
        Assert.Equal(ids, await AllPagesAsync("/api/history?limit=2"));
        Assert.Equal(ids.Where((_, i) => i % 2 == 1), await AllPagesAsync("/api/history?limit=1&state=Failed"));
        Assert.Equal(ids.Where((_, i) => i % 2 == 0), await AllPagesAsync("/api/history?state=Succeeded&agent=a1"));
        Assert.Empty(await AllPagesAsync("/api/history?agent=nobody"));
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync("/api/history?state=Sleeping")).StatusCode);
    }

    /// <summary>Every page, following the next-page header, and the task ids in order (no page larger than asked).</summary>
    private async Task<List<string>> AllPagesAsync(string first)
    {
        var ids = new List<string>();
        var limit = first.Contains("limit=", StringComparison.Ordinal) ? int.Parse(first.Split("limit=")[1].Split('&')[0]) : DashboardApi.DefaultHistoryLimit;
        for (string? next = first; next is not null;)
        {
            var response = await _http.GetAsync(next);
            response.EnsureSuccessStatusCode();
            var page = (await response.Content.ReadFromJsonAsync<List<TaskView>>(Json))!;
            Assert.InRange(page.Count, 0, limit);
            ids.AddRange(page.Select(t => t.TaskId));
            next = response.Headers.TryGetValues(DashboardApi.NextPageHeader, out var values) ? values.Single() : null;
            Assert.True(ids.Count <= 10, $"paging does not end: {string.Join(", ", ids)}");
        }

        return ids;
    }

    [Fact]
    public async Task Task_log_should_follow_live_output_until_the_task_is_final()
    {
        var marker = Path.Combine(Cluster.Root, "go");
        var task = await Cluster.SubmitAsync("a1", "sh", "-c", $"echo one; echo oops >&2; while [ ! -e {marker} ]; do sleep 0.1; done; echo two");

        var first = await TestCluster.WaitForAsync(() => LogPageAsync(task.TaskId, 0), p => p.Lines.Count == 2, p => $"first lines, got {Lines(p)}");
        // Two pipes: their lines arrive in either order.
        Assert.Equivalent(new[] { new TaskLogLine(OutputStream.Stdout, "one"), new TaskLogLine(OutputStream.Stderr, "oops") }, first.Lines, strict: true);
        Assert.False(first.Complete);

        await File.WriteAllTextAsync(marker, "");
        var rest = await TestCluster.WaitForAsync(() => LogPageAsync(task.TaskId, first.NextOffset), p => p.Complete, p => $"the rest, got {Lines(p)}");
        Assert.Equal([new TaskLogLine(OutputStream.Stdout, "two")], rest.Lines);
    }

    private async Task<TaskLogPage> LogPageAsync(string taskId, long offset) =>
        (await _http.GetFromJsonAsync<TaskLogPage>($"/api/task/{taskId}/log?offset={offset}", Json))!;

    private static string Lines(TaskLogPage? page) => page is null ? "nothing" : string.Join(" | ", page.Lines.Select(l => l.Text)) + (page.Complete ? " (complete)" : "");

    [Theory]
    [InlineData("localhost", HttpStatusCode.OK)]
    [InlineData("127.0.0.1", HttpStatusCode.OK)]
    [InlineData("[::1]", HttpStatusCode.OK)]
    [InlineData("rebound.example", HttpStatusCode.BadRequest)] // DNS rebinding: another site's name pointed at 127.0.0.1
    public async Task A_loopback_dashboard_should_answer_requests_for_loopback_names_only(string host, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/status");
        request.Headers.Host = $"{host}:{_dashboard.Url.Port}";

        using var response = await _http.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.BadRequest)
        {
            Assert.Contains("'rebound.example'", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Pause_and_resume_buttons_should_post_to_the_master()
    {
        // A POST without the header (what another site's form could make a browser send) changes nothing.
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await _http.PostAsync("/api/pause", null)).StatusCode);
        Assert.False((await Cluster.StatusAsync()).Paused);
        _http.DefaultRequestHeaders.Add(DashboardApi.ActionHeader, "1");

        var paused = await (await _http.PostAsync("/api/pause", null)).Content.ReadFromJsonAsync<MasterStatus>(Json);
        Assert.True(paused!.Paused);
        Assert.True((await Cluster.StatusAsync()).Paused);

        var resumed = await (await _http.PostAsync("/api/resume", null)).Content.ReadFromJsonAsync<MasterStatus>(Json);
        Assert.False(resumed!.Paused);
        var status = await _http.GetFromJsonAsync<MasterStatus>("/api/status", Json);
        Assert.Equal(Cluster.MasterAddress, status!.Node);
        Assert.Equal("sqlite", status.JournalKind);
        Assert.True(status.Database.Available);
    }

    [Fact]
    public async Task A_port_in_use_should_leave_the_master_without_a_dashboard_instead_of_failing()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var second = await DashboardServer.StartAsync(new Uri($"http://127.0.0.1:{port}"), () => Cluster.Master, Cluster.MasterAddress);

        Assert.Null(second);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/api/agents")).StatusCode);
    }

    [Fact]
    public async Task Pages_should_be_served_from_the_assembly()
    {
        foreach (var page in new[] { "/", "/agents.html", "/tasks.html", "/history.html", "/task.html", "/master.html", "/dashboard.js", "/dashboard.css" })
        {
            var response = await _http.GetAsync(page);
            Assert.True(response.IsSuccessStatusCode, $"{page}: {response.StatusCode}");
        }

        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/nothing.html")).StatusCode);
    }
}
