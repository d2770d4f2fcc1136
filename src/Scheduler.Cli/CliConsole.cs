namespace Scheduler.Cli;

/// <summary>
/// Where a command writes and what environment it sees; tests pass their own. <paramref name="OutputIsTerminal"/>: stdout
/// is a terminal that understands ANSI escapes (<c>--watch</c> then redraws in place instead of printing table after table).
/// </summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error, Func<string, string?> GetEnvironmentVariable, bool OutputIsTerminal = false)
{
    public static CliConsole System { get; } = new(Console.Out, Console.Error, Environment.GetEnvironmentVariable,
        !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") is { Length: > 0 } term && term != "dumb");
}
