using Scheduler.Contracts.Tasks;

namespace Scheduler.Contracts.Tests;

public sealed class TaskIdsSpecs
{
    [Fact]
    public void Problem_should_reject_an_id_ending_in_a_newline() =>
        Assert.Equal("task id 'a\n' may contain only letters, digits, '.', '_' and '-' and must start with a letter or digit", TaskIds.Problem("a\n"));

    [Theory]
    [InlineData("t-1")]
    [InlineData("A")]
    [InlineData("9.build_2-x")]
    public void Problem_should_be_null_for_valid_ids(string id)
    {
        Assert.Null(TaskIds.Problem(id));
    }

    [Fact]
    public void Problem_should_accept_an_id_of_exactly_max_length()
    {
        Assert.Null(TaskIds.Problem(new string('a', TaskIds.MaxLength)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Problem_should_report_empty_ids(string? id)
    {
        Assert.Equal("task id is empty", TaskIds.Problem(id));
    }

    [Fact]
    public void Problem_should_report_too_long_ids()
    {
        var id = new string('a', 20) + new string('b', TaskIds.MaxLength - 19);

        Assert.Equal($"task id '{new string('a', 20)}…' is longer than 128 characters", TaskIds.Problem(id));
    }

    [Theory]
    [InlineData("-t")]
    [InlineData(".t")]
    [InlineData("a b")]
    [InlineData("a/b")]
    [InlineData("ä")]
    public void Problem_should_report_bad_characters_and_leading_dash(string id)
    {
        Assert.Equal(
            $"task id '{id}' may contain only letters, digits, '.', '_' and '-' and must start with a letter or digit",
            TaskIds.Problem(id));
    }

    [Fact]
    public void Problem_should_name_what_is_checked()
    {
        Assert.Equal("agent name is empty", TaskIds.Problem("", "agent name"));
    }

    [Fact]
    public void New_should_make_valid_unique_ids()
    {
        var a = TaskIds.New();
        var b = TaskIds.New();

        Assert.Null(TaskIds.Problem(a));
        Assert.StartsWith("t-", a);
        Assert.Equal(14, a.Length);
        Assert.NotEqual(a, b);
    }
}
