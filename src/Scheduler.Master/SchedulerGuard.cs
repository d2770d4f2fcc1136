using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Scheduler.Contracts;
using Scheduler.Contracts.Client;
using Scheduler.Core.Configuration;
using Scheduler.Core.Database;

namespace Scheduler.Master;

/// <summary>
/// The cluster singleton: runs the <see cref="SchedulerActor"/> while the database works and stands in for it
/// while it does not. A failed write or recovery stops the scheduler (Akka.Persistence's own rule, so nothing is
/// half-applied), and so does a failed check of the database every <c>scheduler.master.db.check-interval</c> (an
/// idle Master writes nothing). The guard then tries every <c>scheduler.master.db.retry-interval</c>: a check, and
/// when it passes a new scheduler, which recovers from the journal. Meanwhile agents get no answer at all — exactly as from a failed
/// Master, so their reconnect windows run — and clients get the outage in one line instead of a timeout.
/// </summary>
public sealed class SchedulerGuard : ReceiveActor, IWithTimers
{
    private const string RetryTimer = "db-retry";
    private const string GiveUpTimer = "db-give-up";
    private const string CheckTimer = "db-check";

    private readonly MasterSettings _settings;
    private readonly TimeProvider _time;
    private readonly MasterDatabase _database;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef _scheduler = ActorRefs.Nobody;
    private DatabaseOutage? _outage;
    private string? _corruption;
    private string? _outageCause;
    private string? _lastRunId;
    private long _lastEpoch;
    private long _checkId;
    private bool _checking;
    private DatabaseOutage? _lastOutage;
    private DateTimeOffset? _recoveredAt;
    private bool _ignoreSnapshots;
    private long _incarnation;

    public SchedulerGuard(MasterSettings settings, TimeProvider time, MasterDatabase database)
    {
        _settings = settings;
        _time = time;
        _database = database;
        StartScheduler();
        Become(Starting);
    }

    public static Props Props(MasterSettings settings, TimeProvider time, MasterDatabase database) =>
        Akka.Actor.Props.Create(() => new SchedulerGuard(settings, time, database));

    protected override void PreStart()
    {
        Check();
        Timers.StartPeriodicTimer(CheckTimer, CheckDatabase.Instance, _settings.DbCheckInterval);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private DateTimeOffset Now => _time.GetUtcNow();

    private const string StartingSummary = "starting: the scheduler recovers from the journal";

    /// <summary>The first scheduler recovers: requests wait in its stash, status is answered here (not available yet).</summary>
    private void Starting()
    {
        Receive<SchedulerReady>(_ => FromScheduler(), OnReady);
        Receive<DatabaseFailed>(_ => FromScheduler(), OnDatabaseFailed);
        Receive<SnapshotUnreadable>(_ => FromScheduler(), OnSnapshotUnreadable);
        Receive<Terminated>(t => t.ActorRef.Equals(_scheduler), _ => BeginOutage("the scheduler stopped"));
        IgnoreStaleSchedulers();
        // A database down at start-up would hold recovery until its 30 s timeout; the check finds it at once.
        Receive<CheckDatabase>(_ => Check());
        Receive<CheckResult>(r => r.Id == _checkId, OnRunningCheck);
        Receive<CheckResult>(_ => { });
        Receive<GetStatus>(_ => Sender.Tell(new StatusResult(GuardStatus(new DatabaseStatus(false, StartingSummary)))));
        Receive<PauseMaster>(_ => Sender.Tell(new RequestFailed(ErrorCode.Unavailable, StartingSummary + "; try again in a moment")));
        Receive<ResumeMaster>(_ => Sender.Tell(new RequestFailed(ErrorCode.Unavailable, StartingSummary + "; try again in a moment")));
        ReceiveAny(m => _scheduler.Forward(m));
    }

    /// <summary>The scheduler is up: everything goes to it; the database is checked on a timer.</summary>
    private void Running()
    {
        Receive<DatabaseFailed>(_ => FromScheduler(), OnDatabaseFailed);
        Receive<Terminated>(t => t.ActorRef.Equals(_scheduler), _ => BeginOutage("the scheduler stopped"));
        IgnoreStaleSchedulers();
        Receive<CheckDatabase>(_ => Check());
        Receive<CheckResult>(r => r.Id == _checkId, OnRunningCheck);
        Receive<CheckResult>(_ => { });
        // Answered with the Master's status, to which the guard adds what it knows of the database.
        Receive<GetStatus>(q => _scheduler.Forward(new StatusQuery(q, AvailableStatus())));
        Receive<PauseMaster>(q => _scheduler.Forward(new StatusQuery(q, AvailableStatus())));
        Receive<ResumeMaster>(q => _scheduler.Forward(new StatusQuery(q, AvailableStatus())));
        ReceiveAny(m => _scheduler.Forward(m));
    }

    /// <summary>
    /// The database failed: agents get silence, clients the outage, and every retry interval an attempt — a check,
    /// and when it passes a new scheduler, which is not served to anyone until it has recovered.
    /// </summary>
    private void Unavailable()
    {
        Receive<RetryDatabase>(_ => Attempt());
        Receive<CheckResult>(r => r.Id == _checkId && _outage!.Attempting && _scheduler.IsNobody(), OnAttemptCheck);
        Receive<GiveUpCheck>(_ => CheckGiveUp());
        Receive<SchedulerReady>(_ => FromScheduler(), OnReady);
        Receive<DatabaseFailed>(_ => FromScheduler(), f =>
        {
            if (CorruptionOf(f) is { } corruption)
            {
                BeginCorrupt(corruption);
            }
            else
            {
                _outageCause ??= f.Error;
            }
        });
        Receive<SnapshotUnreadable>(_ => FromScheduler(), OnSnapshotUnreadable);
        Receive<Terminated>(t => t.ActorRef.Equals(_scheduler), _ => AttemptFailed(_outageCause ?? "the scheduler stopped"));
        Receive<GetStatus>(_ => Sender.Tell(new StatusResult(GuardStatus(OutageDatabase(_outage!)))));
        Receive<IClientRequest>(_ => Sender.Tell(new RequestFailed(ErrorCode.DatabaseUnavailable, _outage!.Describe(Now))));
        ReceiveAny(_ => { }); // agent traffic, stale checks and stale Terminated: not answered, as by a failed Master
    }

    /// <summary>
    /// The journal file is damaged (a corrupt SQLite file): not an outage, so nothing is retried and nothing is written to
    /// it again. The node stays up and says so to every client request and in its status; agents get silence, as from a
    /// failed Master. Only an operator can end this (restore a backup or repair the file, then restart the master).
    /// </summary>
    private void Corrupt()
    {
        Receive<GetStatus>(_ => Sender.Tell(new StatusResult(GuardStatus(new DatabaseStatus(false, _corruption!)))));
        Receive<IClientRequest>(_ => Sender.Tell(new RequestFailed(ErrorCode.DatabaseUnavailable, _corruption!)));
        ReceiveAny(_ => { });
    }

    /// <summary>Late words of a scheduler already given up, and its Terminated: not forwarded to the current one.</summary>
    private void IgnoreStaleSchedulers()
    {
        Receive<SchedulerReady>(_ => { });
        Receive<DatabaseFailed>(_ => { });
        Receive<SnapshotUnreadable>(_ => { });
        Receive<Terminated>(_ => { });
    }

    /// <summary>Only the current scheduler speaks for the database: a stopped one's late messages are ignored.</summary>
    private bool FromScheduler() => !_scheduler.IsNobody() && Sender.Equals(_scheduler);

    private void StartScheduler()
    {
        _outageCause = null;
        // start-paused applies until this node's first scheduler has started, not again after a database outage.
        var startPaused = _settings.StartPaused && _lastRunId is null;
        _scheduler = Context.ActorOf(SchedulerActor.Props(_settings, _time, _database.History, _ignoreSnapshots, startPaused),
            $"scheduler-{++_incarnation}");
        Context.Watch(_scheduler);
    }

    private void OnReady(SchedulerReady ready)
    {
        _lastRunId = ready.RunId;
        _lastEpoch = ready.Epoch;
        _ignoreSnapshots = false;
        if (_outage is { } outage)
        {
            MasterMetrics.DatabaseRetry(succeeded: true);
            _log.Info("Database available again after {Downtime} (attempt {Attempt}); master run {MasterRunId} serving",
                Durations.Describe(Now - outage.Since), outage.Attempts, ready.RunId);
            (_lastOutage, _recoveredAt, _outage) = (outage, Now, null);
            Timers.Cancel(RetryTimer);
            Timers.Cancel(GiveUpTimer);
        }

        Become(Running);
    }

    /// <summary>
    /// The snapshot could not be read (another version, or a bug): not a database failure. The scheduler recovers
    /// again at once from the journal's events alone, which are all kept.
    /// </summary>
    private void OnSnapshotUnreadable(SnapshotUnreadable unreadable)
    {
        _log.Warning("The Master's snapshot cannot be read ({Error}); recovering from the journal's events instead", unreadable.Error);
        _ignoreSnapshots = true;
        Context.Unwatch(_scheduler);
        StartScheduler();
    }

    private void OnDatabaseFailed(DatabaseFailed failed)
    {
        if (CorruptionOf(failed) is { } corruption)
        {
            BeginCorrupt(corruption);
        }
        else
        {
            BeginOutage(failed.Error);
        }
    }

    private string? CorruptionOf(DatabaseFailed failed) => failed.Cause is { } cause ? _database.Probe.CorruptionOf(cause) : null;

    private void BeginCorrupt(string corruption)
    {
        Context.Unwatch(_scheduler);
        Context.Stop(_scheduler);
        _scheduler = ActorRefs.Nobody;
        (_checkId, _checking, _corruption) = (_checkId + 1, false, corruption);
        Timers.CancelAll();
        _log.Error("The Master stopped for good: {Corruption}", corruption);
        Become(Corrupt);
    }

    /// <summary>One check at a time; it answers itself with a <see cref="CheckResult"/>.</summary>
    private void Check()
    {
        if (_checking)
        {
            return;
        }

        _checking = true;
        RunCheck(_database.Probe, ++_checkId, _settings.DbCheckTimeout).PipeTo(Self);
    }

    private static async Task<CheckResult> RunCheck(IDatabaseProbe probe, long id, TimeSpan timeout)
    {
        var result = await probe.ProbeAsync(timeout).ConfigureAwait(false);
        return new CheckResult(id, result.Error, result.Corruption);
    }

    /// <summary>A failed check while serving or starting: the scheduler is stopped as if a write had failed.</summary>
    private void OnRunningCheck(CheckResult result)
    {
        _checking = false;
        if (result.Corruption is { } corruption)
        {
            BeginCorrupt(corruption);
        }
        else if (result.Error is { } error)
        {
            BeginOutage("check failed: " + error);
        }
    }

    /// <summary>The check of an attempt: when the database answers, a new scheduler recovers from it.</summary>
    private void OnAttemptCheck(CheckResult result)
    {
        _checking = false;
        if (result.Corruption is { } corruption)
        {
            BeginCorrupt(corruption);
            return;
        }

        if (result.Error is { } error)
        {
            AttemptFailed(error);
            return;
        }

        _log.Info("Database attempt {Attempt}: the database answers; the scheduler recovers from the journal", _outage!.Attempts);
        _database.Probe.ResetConnections();
        StartScheduler();
    }

    /// <summary>
    /// From now on the scheduler is out of service: it is stopped (if a write failed it stops itself), pooled
    /// connections are dropped — after a server restart each would fail its first command once — and a stale check
    /// no longer counts.
    /// </summary>
    private void BeginOutage(string error)
    {
        Context.Unwatch(_scheduler);
        Context.Stop(_scheduler);
        _scheduler = ActorRefs.Nobody;
        (_checkId, _checking) = (_checkId + 1, false);
        _database.Probe.ResetConnections();
        _outage = DatabaseOutage.Began(Now, error, _settings.DbRetryInterval);
        _log.Error("Database unavailable: {Error}. The Master stopped starting tasks, adopting agent events and answering "
                   + "agents' heartbeats; first attempt to reach it at {NextAttemptAt:HH:mm:ss} (every {RetryInterval})",
            error, _outage.NextAttemptAt, Durations.Format(_settings.DbRetryInterval));
        Timers.StartSingleTimer(RetryTimer, RetryDatabase.Instance, _settings.DbRetryInterval);
        ScheduleGiveUpCheck();
        Become(Unavailable);
    }

    private void Attempt()
    {
        _outage = _outage!.AttemptStarted();
        _checking = false; // a check still hanging from before is superseded
        Check();
    }

    private void AttemptFailed(string error)
    {
        _scheduler = ActorRefs.Nobody;
        _outage = _outage!.AttemptFailed(Now, error, _settings.DbRetryInterval);
        MasterMetrics.DatabaseRetry(succeeded: false);
        _log.Warning("Database attempt {Attempt} failed: {Error}; next attempt at {NextAttemptAt:HH:mm:ss} (unavailable for {Downtime})",
            _outage.Attempts, _outage.Error, _outage.NextAttemptAt, Durations.Describe(Now - _outage.Since));
        Timers.StartSingleTimer(RetryTimer, RetryDatabase.Instance, _settings.DbRetryInterval);
    }

    private void ScheduleGiveUpCheck()
    {
        if (GiveUpLimit() is { } limit)
        {
            Timers.StartSingleTimer(GiveUpTimer, GiveUpCheck.Instance, limit - (Now - _outage!.Since));
        }
    }

    private TimeSpan? GiveUpLimit() => _settings.DbGiveUpAfter.Limit(OtherMastersUp().Count > 0);

    /// <summary>The addresses of the other masters of the cluster that are up: who could take the singleton over.</summary>
    private IReadOnlyList<string> OtherMastersUp()
    {
        var cluster = Cluster.Get(Context.System);
        return cluster.State.Members
            .Where(m => m.Status == MemberStatus.Up && m.HasRole(SchedulerPaths.MasterRole) && !m.Address.Equals(cluster.SelfAddress))
            .Select(m => m.Address.ToString())
            .ToList();
    }

    /// <summary>
    /// Past scheduler.master.db.give-up-after this master makes way. With other masters up it leaves the cluster,
    /// so one of them takes the singleton over at once, and its node rejoins when its database answers again (the
    /// path from this host may be what failed). Alone it stops (exit code 1), for a process supervisor to restart.
    /// </summary>
    private void CheckGiveUp()
    {
        var limit = GiveUpLimit();
        if (!_outage!.IsPastLimit(Now, limit))
        {
            ScheduleGiveUpCheck();
            return;
        }

        var downtime = Durations.Describe(Now - _outage.Since);
        var others = OtherMastersUp();
        if (others.Count > 0)
        {
            _log.Error("Giving up: database unavailable for {Downtime} (scheduler.master.db.give-up-after = {Limit}); this master "
                       + "leaves the cluster so another master ({OtherMasters}) takes over, and rejoins when its database answers",
                downtime, Durations.Format(limit!.Value), string.Join(", ", others));
            CoordinatedShutdown.Get(Context.System).Run(new DatabaseMadeWay(others));
            return;
        }

        _log.Error("Giving up: database unavailable for {Downtime} (scheduler.master.db.give-up-after = {Limit}); this master node stops",
            downtime, Durations.Format(limit!.Value));
        CoordinatedShutdown.Get(Context.System).Run(DatabaseGaveUp.Instance);
    }

    private DatabaseStatus AvailableStatus() => _lastOutage is { } last && _recoveredAt is { } at
        ? new DatabaseStatus(true, last.DescribeEnded(at), last.Since, last.Attempts, null, last.Error, at)
        : new DatabaseStatus(true, "available");

    private DatabaseStatus OutageDatabase(DatabaseOutage outage) =>
        new(false, outage.Describe(Now), outage.Since, outage.Attempts, outage.NextAttemptAt, outage.Error);

    /// <summary>The status the guard knows without the scheduler: its run and the database; counts unknown.</summary>
    private MasterStatus GuardStatus(DatabaseStatus database) => new(
        SchedulerNode.Of(Context.System),
        _lastRunId,
        _lastEpoch,
        _settings.JournalKindName,
        database,
        Agents: null,
        UnfinishedTasks: null);

    private sealed class RetryDatabase : INoSerializationVerificationNeeded
    {
        public static RetryDatabase Instance { get; } = new();
    }

    private sealed class CheckDatabase : INoSerializationVerificationNeeded
    {
        public static CheckDatabase Instance { get; } = new();
    }

    /// <summary>The answer of check number <paramref name="Id"/>; only the latest check counts.</summary>
    private sealed record CheckResult(long Id, string? Error, string? Corruption) : INoSerializationVerificationNeeded;

    private sealed class GiveUpCheck : INoSerializationVerificationNeeded
    {
        public static GiveUpCheck Instance { get; } = new();
    }
}

/// <summary>A request answered with the scheduler's status (status, pause, resume); the guard adds what it knows of the database.</summary>
internal sealed record StatusQuery(IClientRequest Request, DatabaseStatus Database) : INoSerializationVerificationNeeded;

/// <summary>The scheduler recovered and persisted its epoch: the database works.</summary>
internal sealed record SchedulerReady(string RunId, long Epoch) : INoSerializationVerificationNeeded;

/// <summary>The scheduler's database failed: it stops after telling the guard why.</summary>
internal sealed record DatabaseFailed(string Error, Exception? Cause = null) : INoSerializationVerificationNeeded;

/// <summary>The scheduler's snapshot could not be read: it stops; the guard recovers it from events alone.</summary>
internal sealed record SnapshotUnreadable(string Error) : INoSerializationVerificationNeeded;

/// <summary>The reason a master node stopped itself: its database stayed unavailable past give-up-after.</summary>
public sealed class DatabaseGaveUp : CoordinatedShutdown.Reason
{
    public static DatabaseGaveUp Instance { get; } = new();

    public override int ExitCode => 1;
}

/// <summary>
/// The reason a master's ActorSystem left the cluster: its database stayed unavailable past give-up-after while
/// other masters were up. The node keeps checking its database and rejoins through the masters that were up when it left.
/// </summary>
public sealed class DatabaseMadeWay(IReadOnlyList<string> otherMasters) : CoordinatedShutdown.Reason
{
    /// <summary>The Akka addresses of the masters that were up when this one left.</summary>
    public IReadOnlyList<string> OtherMasters { get; } = otherMasters;

    /// <summary>Only used if the process itself ended here (MasterHost keeps it running to rejoin).</summary>
    public override int ExitCode => 1;

    public override string ToString() => $"database unavailable; made way for {string.Join(", ", OtherMasters)}";
}

/// <summary>This node's remoting address as HOST:PORT.</summary>
internal static class SchedulerNode
{
    public static string Of(ActorSystem system)
    {
        var address = Cluster.Get(system).SelfAddress;
        return $"{address.Host}:{address.Port}";
    }
}
