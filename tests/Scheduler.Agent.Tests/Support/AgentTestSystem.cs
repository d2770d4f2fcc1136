using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Scheduler.Agent.Journal;
using Scheduler.Agent.Processes;
using Scheduler.Agent.Tasks;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Serialization;
using Scheduler.Contracts.Tasks;
using Scheduler.Hosting.Persistence;

namespace Scheduler.Agent.Tests.Support;

/// <summary>An ActorSystem setup for agent specs: a real SQLite journal in a temp folder of its own.</summary>
public static class AgentTestSystem
{
    public static string NewDir() => Path.Combine(Path.GetTempPath(), "scheduler-agent-specs", Guid.NewGuid().ToString("N")[..10]);

    /// <summary>The folder is readable back from the system's config as <c>test.dir</c>.</summary>
    public static ActorSystemSetup Setup(string dir, string extraHocon = "")
    {
        var journal = Path.Combine(dir, "journal.db");
        SqliteJournal.Prepare(journal);
        // The first write to a fresh SQLite journal (tables created, linq2db warmed up) can take seconds on a
        // busy 2-core machine: waits are bounded generously, conditions decide when they end.
        var config = ConfigurationFactory.ParseString($"test.dir = \"{dir}\"\nakka.test.single-expect-default = 15s\n{extraHocon}")
            .WithFallback(SqliteTaskJournal.Hocon(journal))
            .WithFallback(SerializationConfig.Hocon);
        return ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(config));
    }

    /// <summary>
    /// Journals a task that cannot start (two events: accepted, failed to start) through a real supervisor on
    /// <paramref name="system"/>, the spec's journal in <paramref name="dir"/>; returns the supervisor once both are written.
    /// </summary>
    public static async Task<IActorRef> JournalFailedStartAsync(ActorSystem system, string dir, string taskId)
    {
        var settings = Settings(dir);
        var supervisor = system.ActorOf(TaskSupervisorActor.Props(taskId, settings.Name, settings, new ProcessTable(), TimeProvider.System));
        supervisor.Tell(new StartTask(1, new TaskSpec(taskId, [Path.Combine(dir, "no-such-program")], null, new Dictionary<string, string>(), null)));
        await supervisor.Ask<TaskSettled>(new KillForShutdown("spec"), TimeSpan.FromSeconds(30));
        return supervisor;
    }

    public static AgentSettings Settings(string dir, string extraHocon = "") =>
        AgentSettings.Create(ConfigurationFactory.ParseString(
            $"scheduler.agent {{ name = a1, data-dir = \"{dir}\", kill-grace = 1s }}\n{extraHocon}"));
}
