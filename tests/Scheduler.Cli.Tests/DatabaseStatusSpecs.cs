using Scheduler.Cli.Tests.Support;
using Scheduler.TestKit;
using Xunit.Abstractions;

namespace Scheduler.Cli.Tests;

/// <summary>
/// <c>scheduler status</c> against a real master process on a real PostgreSQL server: it answers during a
/// database outage (exit 0, the outage in one line and in JSON) while other commands fail fast with that line.
/// </summary>
public sealed class DatabaseStatusSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly MasterAndAgent _nodes = new("db");
    private PostgresServer _postgres = null!;

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        var connectionString = await _postgres.CreateDatabaseAsync();
        await _nodes.StartAsync($$"""
            scheduler.master.journal { kind = postgresql, connection-string = "{{connectionString}}" }
            scheduler.master.db { retry-interval = 1s, check-interval = 300ms }
            """);
    }

    public async Task DisposeAsync()
    {
        output.WriteLine(_nodes.Logs);
        await _nodes.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task Status_should_answer_during_a_database_outage_and_other_commands_fail_fast_with_the_same_line()
    {
        var up = await _nodes.JsonAsync("status", "--json");
        Assert.Equal("postgresql", up.GetProperty("journalKind").GetString());
        Assert.True(up.GetProperty("database").GetProperty("available").GetBoolean());
        Assert.Equal(1, up.GetProperty("agents").GetProperty("connected").GetInt32());
        Assert.Equal(_nodes.MasterAddress, up.GetProperty("node").GetString());

        await _postgres.StopAsync();

        var down = await Eventually.ValueAsync(() => _nodes.JsonAsync("status", "--json"),
            s => !s.GetProperty("database").GetProperty("available").GetBoolean(), "status says the database is unavailable");
        Assert.StartsWith("database unavailable since ", down.GetProperty("database").GetProperty("summary").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, down.GetProperty("agents").ValueKind);
        var (statusCode, text, _) = await _nodes.CliAsync("status");
        Assert.Equal(0, statusCode);
        Assert.Matches(@"database:\s+database unavailable since \S+ \S+Z \(.*\), (first attempt at|attempt \d+)", text);

        var (historyCode, _, error) = await _nodes.CliAsync("history");
        Assert.Equal(1, historyCode);
        Assert.Contains("database unavailable since ", error);

        await _postgres.StartAgainAsync();
        await Eventually.TrueAsync(async () => (await _nodes.JsonAsync("status", "--json")).GetProperty("database").GetProperty("available").GetBoolean(),
            "the database is available again");
        await _nodes.WaitForAgentAsync("Connected");
        Assert.Equal(0, (await _nodes.CliAsync("history")).ExitCode);
    }
}
