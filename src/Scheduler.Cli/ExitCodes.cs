namespace Scheduler.Cli;

public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The request failed: the Master refused it or could not be reached.</summary>
    public const int RequestFailed = 1;

    /// <summary>The command line or configuration is wrong.</summary>
    public const int UsageError = 2;
}

/// <summary>A command line problem found after parsing (bad task id, missing config file); exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
