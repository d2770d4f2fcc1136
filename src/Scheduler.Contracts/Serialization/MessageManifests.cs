using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Feed;
using Scheduler.Contracts.Journal;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Contracts.Serialization;

/// <summary>
/// The fixed manifest of every serializable type. A manifest, once shipped, is never reused for
/// another meaning; a type may be renamed freely because only the manifest is stored.
/// </summary>
public static class MessageManifests
{
    private static readonly (Type Type, string Manifest)[] All =
    [
        // task events (agent journal, replayed to the Master)
        (typeof(TaskAccepted), "te.accepted"),
        (typeof(TaskStarted), "te.started"),
        (typeof(TaskExited), "te.exited"),
        (typeof(TaskTimedOut), "te.timed-out"),
        (typeof(TaskKilled), "te.killed"),
        (typeof(TaskFailedToStart), "te.failed-to-start"),
        (typeof(TaskLost), "te.lost"),
        (typeof(TaskOutputTruncated), "te.output-truncated"),
        // agent protocol
        (typeof(RegisterAgent), "ag.register"),
        (typeof(AgentRegistered), "ag.registered"),
        (typeof(AgentRegistrationRefused), "ag.refused"),
        (typeof(AgentHeartbeat), "ag.heartbeat"),
        (typeof(MasterHeartbeat), "ag.master-heartbeat"),
        (typeof(RegisterAgain), "ag.register-again"),
        (typeof(AgentCaughtUp), "ag.caught-up"),
        (typeof(AgentEventBatch), "ag.events"),
        (typeof(EventsAdopted), "ag.adopted"),
        (typeof(StartTask), "ag.start"),
        (typeof(StopTask), "ag.stop"),
        (typeof(StartTaskRejected), "ag.start-rejected"),
        (typeof(FetchTaskLog), "ag.fetch-log"),
        (typeof(TaskLogChunk), "ag.log-chunk"),
        (typeof(ReleaseCandidates), "ag.release-candidates"),
        (typeof(ReleaseConfirmed), "ag.release-confirmed"),
        // client API
        (typeof(SubmitTask), "cl.submit"),
        (typeof(KillTask), "cl.kill"),
        (typeof(GetTask), "cl.get-task"),
        (typeof(GetTasks), "cl.get-tasks"),
        (typeof(GetHistory), "cl.get-history"),
        (typeof(GetTaskLog), "cl.get-log"),
        (typeof(GetAgents), "cl.get-agents"),
        (typeof(TaskResult), "cl.task"),
        (typeof(TasksResult), "cl.tasks"),
        (typeof(AgentsResult), "cl.agents"),
        (typeof(TaskLogResult), "cl.log"),
        (typeof(RequestFailed), "cl.failed"),
        (typeof(GetEvents), "cl.get-events"),
        (typeof(EventsResult), "cl.events"),
        (typeof(GetStatus), "cl.get-status"),
        (typeof(StatusResult), "cl.status"),
        (typeof(PauseMaster), "cl.pause"),
        (typeof(ResumeMaster), "cl.resume"),
        (typeof(GetJobs), "cl.get-jobs"),
        (typeof(RunJob), "cl.run-job"),
        (typeof(JobsResult), "cl.jobs"),
        (typeof(AddJobs), "cl.add-jobs"),
        (typeof(RemoveJob), "cl.remove-job"),
        (typeof(ReadFeed), "cl.read-feed"),
        (typeof(FeedPage), "cl.feed"),
        // event feed (integrators)
        (typeof(TaskStateChanged), "fe.task"),
        (typeof(AgentStateChanged), "fe.agent"),
        // master journal
        (typeof(MasterEpochStarted), "mj.epoch"),
        (typeof(TaskSubmitted), "mj.submitted"),
        (typeof(TaskKillRequested), "mj.kill-requested"),
        (typeof(TaskRejectedByAgent), "mj.rejected"),
        (typeof(AgentJournalAttached), "mj.journal-attached"),
        (typeof(AgentEventsAdopted), "mj.adopted"),
        (typeof(TaskLogCompleted), "mj.log-completed"),
        (typeof(TaskLogChunkStored), "mj.log-chunk"),
        (typeof(AgentCoupled), "mj.agent-coupled"),
        (typeof(AgentWentUnreachable), "mj.agent-unreachable"),
        (typeof(AgentDeclaredLost), "mj.agent-lost"),
        (typeof(TasksMovedToHistory), "mj.moved-to-history"),
        (typeof(MasterPaused), "mj.paused"),
        (typeof(MasterResumed), "mj.resumed"),
        (typeof(JobDefined), "mj.job-defined"),
        (typeof(JobRemoved), "mj.job-removed"),
        (typeof(JobFired), "mj.job-fired"),
        (typeof(JobFireSkipped), "mj.job-fire-skipped"),
        (typeof(MasterSnapshot), "ms.state"),
    ];

    private static readonly Dictionary<Type, string> ByType = All.ToDictionary(e => e.Type, e => e.Manifest);
    private static readonly Dictionary<string, Type> ByManifest = All.ToDictionary(e => e.Manifest, e => e.Type);

    public static IEnumerable<Type> Types => ByType.Keys;

    public static string ManifestOf(Type type) =>
        ByType.TryGetValue(type, out var manifest)
            ? manifest
            : throw new ArgumentException($"{type.FullName} has no manifest in {nameof(MessageManifests)}; add one.", nameof(type));

    public static bool TryTypeOf(string manifest, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Type? type) =>
        ByManifest.TryGetValue(manifest, out type);

    public static Type TypeOf(string manifest) =>
        ByManifest.TryGetValue(manifest, out var type)
            ? type
            : throw new ArgumentException($"Unknown message manifest '{manifest}' (written by a newer version?).", nameof(manifest));
}
