using Akka.Configuration;
using Serilog;
using Serilog.Events;

namespace Scheduler.Hosting;

/// <summary>Serilog for a node: everything to stderr (stdout stays for command results); Akka logs through Akka.Logger.Serilog.</summary>
public static class SchedulerLogging
{
    public static void Configure(LogEventLevel minimum = LogEventLevel.Information)
    {
        Log.Logger = new LoggerConfiguration()
            .MinimumLevel.Is(minimum)
            .Enrich.FromLogContext()
            .WriteTo.Console(
                outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:lj}{NewLine}{Exception}",
                standardErrorFromLevel: LogEventLevel.Verbose)
            .CreateLogger();
    }

    public static Config AkkaHocon { get; } = ConfigurationFactory.ParseString("""
        akka {
          loglevel = INFO
          stdout-loglevel = WARNING
          loggers = ["Akka.Logger.Serilog.SerilogLogger, Akka.Logger.Serilog"]
          logger-formatter = "Akka.Logger.Serilog.SerilogLogMessageFormatter, Akka.Logger.Serilog"
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
        }
        """);
}
