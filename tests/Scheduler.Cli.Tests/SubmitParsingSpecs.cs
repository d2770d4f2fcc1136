using System.CommandLine;
using Scheduler.Cli.Commands;
using Scheduler.Contracts.Tasks;
using Xunit;

namespace Scheduler.Cli.Tests;

public sealed class SubmitParsingSpecs
{
    private readonly SubmitCommand.SubmitOptions _options = new();

    private ParseResult Parse(params string[] args)
    {
        var root = new RootCommand { SubmitCommand.Create(new TestConsole().Console, _options) };
        return root.Parse(["submit", .. args], SchedulerCli.ParserConfiguration);
    }

    private TaskSpec Spec(params string[] args)
    {
        var parse = Parse(args);
        Assert.Empty(parse.Errors);
        return _options.Read(parse).Spec;
    }

    [Fact]
    public void Submit_should_take_everything_after_double_dash_verbatim()
    {
        var spec = Spec("--agent", "local", "--", "sh", "-c", "echo 'a  b' >&2", "--agent", "-x", "--", "@file", "", "--help");

        Assert.Equal(["sh", "-c", "echo 'a  b' >&2", "--agent", "-x", "--", "@file", "", "--help"], spec.Command);
    }

    [Fact]
    public void Submit_should_read_id_timeout_env_and_cwd()
    {
        var parse = Parse("--agent", "box-1", "--id", "nightly.backup_1", "--timeout", "90s", "--env", "A=1", "--env", "B=x=y", "--env", "EMPTY=", "--cwd", "/srv/job", "--", "backup");
        var (agent, spec) = _options.Read(parse);

        Assert.Equal("box-1", agent);
        Assert.Equal(("nightly.backup_1", "/srv/job"), (spec.TaskId, spec.WorkingDirectory));
        Assert.Equal(["backup"], spec.Command);
        Assert.Equal(new Dictionary<string, string> { ["A"] = "1", ["B"] = "x=y", ["EMPTY"] = "" }, spec.Environment);
        Assert.Equal(TimeSpan.FromSeconds(90), spec.Timeout);
    }

    [Fact]
    public void Submit_should_generate_a_valid_id_and_no_timeout_by_default()
    {
        var spec = Spec("--agent", "local", "--", "true");

        Assert.Null(TaskIds.Problem(spec.TaskId));
        Assert.StartsWith("t-", spec.TaskId);
        Assert.Null(spec.Timeout);
        Assert.Null(spec.WorkingDirectory);
        Assert.Empty(spec.Environment);
    }

    [Theory]
    [InlineData("--timeout", "soon", "--timeout: 'soon' is not a duration (expected e.g. 500ms, 30s, 5m, 1h)")]
    [InlineData("--env", "NOVALUE", "--env: 'NOVALUE' is not K=V")]
    [InlineData("--env", "=1", "--env: '=1' has no variable name before '='")]
    public void Submit_should_report_bad_option_values_as_parse_errors(string option, string value, string message)
    {
        var parse = Parse("--agent", "local", option, value, "--", "true");

        Assert.Equal(message, Assert.Single(parse.Errors).Message);
    }

    [Fact]
    public void Submit_should_refuse_an_env_variable_given_twice()
    {
        var parse = Parse("--agent", "local", "--env", "A=1", "--env", "A=2", "--", "true");

        var error = Assert.Throws<UsageException>(() => _options.Read(parse));
        Assert.Equal("--env: 'A' is given more than once", error.Message);
    }

    [Fact]
    public void Submit_should_refuse_an_invalid_task_id()
    {
        var parse = Parse("--agent", "local", "--id", "a b", "--", "true");

        var error = Assert.Throws<UsageException>(() => _options.Read(parse));
        Assert.Equal(TaskIds.Problem("a b"), error.Message);
    }

    [Fact]
    public void Submit_should_require_an_agent_and_a_command()
    {
        Assert.Contains(Parse("--", "true").Errors, e => e.Message.Contains("--agent", StringComparison.Ordinal));
        Assert.NotEmpty(Parse("--agent", "local").Errors);
    }
}

public sealed class MasterOptionSpecs
{
    private static IReadOnlyList<string> ContactPoints(TestConsole console, params string[] args)
    {
        var options = new ClientCommandOptions(console.Console);
        var command = new Command("tasks");
        options.AddTo(command);
        var parse = new RootCommand { command }.Parse(["tasks", .. args], SchedulerCli.ParserConfiguration);
        Assert.Empty(parse.Errors);
        return options.ClientOptions(parse).ContactPoints;
    }

    [Fact]
    public void Master_should_be_repeatable()
    {
        var contacts = ContactPoints(new TestConsole(), "--master", "10.0.0.1:4053", "--master", "master-2:5000");

        Assert.Equal(["10.0.0.1:4053", "master-2:5000"], contacts);
    }

    [Fact]
    public void Master_should_default_to_the_environment_variable_then_to_localhost()
    {
        var fromEnvironment = ContactPoints(new TestConsole().With(ClientCommandOptions.MasterEnvironmentVariable, "a:1,b:2"));
        var fallback = ContactPoints(new TestConsole());
        var explicitWins = ContactPoints(new TestConsole().With(ClientCommandOptions.MasterEnvironmentVariable, "a:1"), "--master", "c:3");

        Assert.Equal(["a:1", "b:2"], fromEnvironment);
        Assert.Equal(["127.0.0.1:4053"], fallback);
        Assert.Equal(["c:3"], explicitWins);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:")]
    [InlineData("localhost:http")]
    [InlineData("localhost:70000")]
    public void Master_should_refuse_a_value_that_is_not_host_and_port(string value)
    {
        var options = new ClientCommandOptions(new TestConsole().Console);
        var command = new Command("tasks");
        options.AddTo(command);

        var parse = new RootCommand { command }.Parse(["tasks", "--master", value], SchedulerCli.ParserConfiguration);

        Assert.StartsWith($"--master: '{value}'", Assert.Single(parse.Errors).Message);
    }
}
