using Microsoft.Playwright;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Tasks;
using Scheduler.TestKit;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Scheduler.Dashboard.Tests;

/// <summary>The dashboard's pages in a real headless Chromium, against a real in-process cluster with a cut link.</summary>
public sealed class DashboardBrowserSpecs : SchedulerSpec
{
    private readonly ITestOutputHelper _output;

    public DashboardBrowserSpecs(ITestOutputHelper output) : base(output) => _output = output;

    /// <summary>How long the browser may take to show what the cluster already shows (the pages poll every second).</summary>
    private static readonly LocatorAssertionsToHaveTextOptions Shown = new() { Timeout = 30_000 };

    protected override TestClusterOptions Options => new()
    {
        Agents = [new TestAgent("a1", Hocon: "scheduler.agent.reconnect-window = 2m")],
    };

    [Fact]
    public async Task A_partition_should_show_unreachable_with_the_countdown_and_the_heal_connected_with_the_replayed_task()
    {
        var dashboard = await Cluster.StartDashboardAsync();
        await using var browser = await Browser.OpenAsync(nameof(DashboardBrowserSpecs));
        var page = browser.Page;
        var agent = page.Locator("#agents tr[data-agent='a1']");

        await page.GotoAsync(new Uri(dashboard.Url, "/").ToString());
        await Expect(agent.Locator(".state")).ToHaveTextAsync("Connected", Shown);

        var task = await MarkedTask.StartAsync(Cluster, "a1");
        await Expect(agent.Locator(".running")).ToHaveTextAsync("1", Shown);

        await Cluster.PartitionAsync("a1");
        await Cluster.WaitForAgentAsync("a1", AgentState.Unreachable);
        await Expect(agent.Locator(".state")).ToHaveTextAsync("Unreachable", Shown);
        // The reconnect window counts down: 2 minutes from the last contact.
        await Expect(agent.Locator(".countdown")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^kills its tasks in (1m \d+s|\d+s)$"), Shown);
        _output.WriteLine($"screenshot: {await browser.ScreenshotAsync("1-agent-unreachable")}");

        await page.GotoAsync(new Uri(dashboard.Url, "/tasks.html").ToString());
        await Expect(page.Locator($"#tasks tr[data-task='{task.Task.TaskId}'] .state")).ToHaveTextAsync("Unknown", Shown);
        _output.WriteLine($"screenshot: {await browser.ScreenshotAsync("2-task-unknown")}");

        // The task ends while the agent is cut off; only its journal knows, until the heal replays it.
        await File.WriteAllTextAsync(task.Marker, "");
        await Cluster.WaitForAgentJournalAsync("a1", e => e is TaskExited x && x.TaskId == task.Task.TaskId, "the task's exit");
        await Cluster.HealAsync("a1");

        await page.GotoAsync(new Uri(dashboard.Url, "/").ToString());
        await Expect(agent.Locator(".state")).ToHaveTextAsync("Connected", Shown);
        await Expect(agent.Locator(".countdown")).ToHaveTextAsync("-", Shown);
        _output.WriteLine($"screenshot: {await browser.ScreenshotAsync("3-agent-connected")}");

        await page.GotoAsync(new Uri(dashboard.Url, "/history.html").ToString());
        await Expect(page.Locator($"#history tr[data-task='{task.Task.TaskId}'] .state")).ToHaveTextAsync("Succeeded", Shown);
        _output.WriteLine($"screenshot: {await browser.ScreenshotAsync("4-history-replayed")}");
    }

    [Fact]
    public async Task Task_page_of_a_Lost_task_should_say_the_rest_of_its_log_may_never_come()
    {
        var dashboard = await Cluster.StartDashboardAsync();
        await using var browser = await Browser.OpenAsync(nameof(DashboardBrowserSpecs));
        var task = await Cluster.SubmitAsync("a1", "sh", "-c", "echo before-loss; sleep 20");
        for (var deadline = DateTime.UtcNow.AddSeconds(30); (await Cluster.MasterLogAsync(task.TaskId)).Data.Length == 0; await Task.Delay(100))
        {
            Assert.True(DateTime.UtcNow < deadline, "the Master copied the task's first line within 30 s");
        }

        // The agent comes back with an empty data folder: a new journal, and its old task is Lost for good.
        await Cluster.TerminateAgentAsync("a1");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Cluster.AgentDataDir("a1"), recursive: true);
        await Cluster.StartAgentAsync(new TestAgent("a1"));
        await Cluster.WaitForTaskAsync(task.TaskId, t => t.State == TaskState.Lost, "Lost");

        await browser.Page.GotoAsync(new Uri(dashboard.Url, $"/task.html?id={task.TaskId}").ToString());

        await Expect(browser.Page.Locator("#task dd.state")).ToHaveTextAsync("Lost", Shown);
        await Expect(browser.Page.Locator("#log")).ToHaveTextAsync("before-loss", Shown);
        await Expect(browser.Page.Locator("#log-state")).ToHaveTextAsync("(its agent is lost: the rest of the log may never come)", Shown);
    }

    [Fact]
    public async Task Task_page_should_follow_the_log_and_master_page_should_pause_and_resume()
    {
        var dashboard = await Cluster.StartDashboardAsync();
        await using var browser = await Browser.OpenAsync(nameof(DashboardBrowserSpecs));
        var page = browser.Page;
        var marker = Path.Combine(Cluster.Root, "go");
        var task = await Cluster.SubmitAsync("a1", "sh", "-c", $"echo before; while [ ! -e {marker} ]; do sleep 0.1; done; echo after");

        await page.GotoAsync(new Uri(dashboard.Url, $"/task.html?id={task.TaskId}").ToString());
        await Expect(page.Locator("#log")).ToHaveTextAsync("before", Shown);
        await Expect(page.Locator("#log-state")).ToHaveTextAsync("(following live output)", Shown);
        await File.WriteAllTextAsync(marker, "");
        await Expect(page.Locator("#log")).ToHaveTextAsync("beforeafter", Shown);
        await Expect(page.Locator("#log-state")).ToHaveTextAsync("(complete)", Shown);
        await Expect(page.Locator("#task dd.state")).ToHaveTextAsync("Succeeded", Shown);
        _output.WriteLine($"screenshot: {await browser.ScreenshotAsync("5-task-log")}");

        await page.GotoAsync(new Uri(dashboard.Url, "/master.html").ToString());
        var state = page.Locator("#status-state");
        await Expect(state).ToHaveTextAsync("running", Shown);
        await Expect(page.Locator("#status-scheduler-node")).ToHaveTextAsync(Cluster.MasterAddress, Shown);
        await page.ClickAsync("#pause");
        await Expect(state).ToHaveTextAsync("paused", Shown);
        Assert.True((await Cluster.StatusAsync()).Paused);
        _output.WriteLine($"screenshot: {await browser.ScreenshotAsync("6-master-paused")}");
        await page.ClickAsync("#resume");
        await Expect(state).ToHaveTextAsync("running", Shown);
        Assert.False((await Cluster.StatusAsync()).Paused);
    }
}
