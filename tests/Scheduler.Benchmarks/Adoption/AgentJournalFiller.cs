using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Scheduler.Agent.Journal;
using Scheduler.Contracts.Serialization;
using Scheduler.Contracts.Tasks;
using Scheduler.Hosting;
using Scheduler.Hosting.Persistence;

namespace Scheduler.Benchmarks.Adoption;

/// <summary>
/// Fills an agent's journal before the agent starts, as if its tasks had run during a partition: each task's
/// complete life (accepted, started, exited 0), so every task is final and the agent's start finds no orphan.
/// The ActorSystem is set up like the agent's (SchedulerNodes.StartLockedSystem): locked data folder, WAL,
/// the Akka.Persistence.Sql SQLite journal with synchronous=NORMAL, and the scheduler's serializer.
/// </summary>
public static class AgentJournalFiller
{
    /// <summary>
    /// Tasks journaling at once; the journal batches their writes into transactions (batch-size 100, parallelism 3).
    /// Many more queue up in the journal and may outlast its circuit breaker's call timeout.
    /// </summary>
    private const int Concurrency = 300;

    /// <summary>Journals <paramref name="tasks"/> complete task lives, ids <c>{taskIdPrefix}-0000001</c> on.</summary>
    public static async Task FillAsync(string dataDir, string journalPath, int tasks, string taskIdPrefix, Config overrides,
        CancellationToken cancellationToken)
    {
        using var folderLock = DataFolderLock.Acquire(dataDir, "benchmark agent");
        var system = StartJournalSystem(journalPath, overrides);
        try
        {
            using var progress = new Harness.Progress("tasks journaled", tasks);
            var writer = system.ActorOf(JournalWriterActor.Props(Lives(tasks, taskIdPrefix), Concurrency, progress), "journal-writer");
            await writer.Ask<JournalWriterActor.Done>(JournalWriterActor.Start.Instance, TimeSpan.FromMinutes(10), cancellationToken);
        }
        finally
        {
            await system.Terminate();
        }
    }

    /// <summary>A local ActorSystem with the agent's journal setup on <paramref name="journalPath"/> (the caller locks its folder).</summary>
    public static ActorSystem StartJournalSystem(string journalPath, Config overrides)
    {
        SqliteJournal.Prepare(journalPath);
        var config = overrides
            .WithFallback(ConfigurationFactory.ParseString("akka.actor.provider = local"))
            .WithFallback(SqliteTaskJournal.Hocon(journalPath))
            .WithFallback(SerializationConfig.Hocon)
            .WithFallback(SchedulerLogging.AkkaHocon);
        var setup = ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(config));
        return ActorSystem.Create("benchmark-agent-journal", setup);
    }

    /// <summary>Each task's complete life: accepted, started, exited with code 0.</summary>
    private static IEnumerable<IReadOnlyList<ITaskEvent>> Lives(int tasks, string taskIdPrefix)
    {
        var bootId = Guid.NewGuid().ToString();
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        for (var i = 1; i <= tasks; i++)
        {
            var taskId = $"{taskIdPrefix}-{i:D7}";
            var at = start.AddMilliseconds(i);
            yield return
            [
                new TaskAccepted(taskId, new TaskSpec(taskId, ["/bin/true"], null, new Dictionary<string, string>(), null), at),
                new TaskStarted(taskId, 10_000 + i % 50_000, 1_000_000 + i, bootId, at.AddMilliseconds(1)),
                new TaskExited(taskId, 0, at.AddMilliseconds(2)),
            ];
        }
    }
}
