namespace Scheduler.Contracts;

/// <summary>Well-known actor paths and names shared by masters, agents and clients.</summary>
public static class SchedulerPaths
{
    /// <summary>The ActorSystem name of master nodes: ClusterClient contacts (agents, clients) address their receptionists with it.</summary>
    public const string SystemName = "scheduler";

    /// <summary>The ClusterClient service path: the singleton proxy registered with the receptionist on each master.</summary>
    public const string SchedulerService = "/user/scheduler-proxy";

    /// <summary>Cluster role of master nodes.</summary>
    public const string MasterRole = "master";

    /// <summary>The tag every agent task event is journaled with, so it can be read in global order.</summary>
    public const string TaskEventTag = "task";

    /// <summary>
    /// Akka's snapshot store that holds nothing: for the one-per-task persistent actors (agent supervisors, Master log
    /// copies), which never snapshot, so their recovery skips a snapshot query each.
    /// </summary>
    public const string NoSnapshotStore = "akka.persistence.no-snapshot-store";
}
