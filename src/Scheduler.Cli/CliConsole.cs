namespace Scheduler.Cli;

/// <summary>Where a command writes and what environment it sees; tests pass their own.</summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error, Func<string, string?> GetEnvironmentVariable)
{
    public static CliConsole System { get; } = new(Console.Out, Console.Error, Environment.GetEnvironmentVariable);
}
