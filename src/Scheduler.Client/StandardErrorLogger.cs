using Akka.Event;

namespace Scheduler.Client;

/// <summary>
/// Akka's minimal logger (used before the loggers start and after they stop, e.g. "Remoting shut down"),
/// writing to standard error instead of Akka's default standard output.
/// </summary>
public sealed class StandardErrorLogger : MinimalLogger
{
    protected override void Log(object message)
    {
        if (message is LogEvent logEvent)
        {
            Console.Error.WriteLine(logEvent.ToString());
        }
    }
}
