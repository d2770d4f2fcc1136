namespace Scheduler.Agent.Processes;

/// <summary>
/// A task process could not be started. <see cref="Exception.Message"/> is one line with the OS reason, e.g.
/// <c>cannot start 'nosuchcmd': No such file or directory</c> or <c>working directory '/x' does not exist</c>.
/// </summary>
public sealed class TaskProcessException : Exception
{
    public TaskProcessException(string message)
        : base(message)
    {
    }
}
