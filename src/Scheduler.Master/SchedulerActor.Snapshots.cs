using System.Text.Json;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Scheduler.Contracts.Journal;
using Scheduler.Contracts.Serialization;
using Scheduler.Core.Scheduling;

namespace Scheduler.Master;

/// <summary>
/// Snapshots every <c>scheduler.master.snapshot-every</c> events, so a Master (or a new singleton after a
/// fail-over) recovers from the latest snapshot and the events after it instead of the whole journal. The state is
/// small by design: settled tasks live in the history table. Older snapshots are deleted; events are kept.
/// </summary>
public sealed partial class SchedulerActor
{
    private const int SnapshotVersion = 1;
    private static readonly JsonSerializerOptions SnapshotJson = SchedulerSerializer.CreateOptions();
    private readonly bool _ignoreSnapshots;
    private long _eventsSinceSnapshot;
    private bool _snapshotting;
    private bool _snapshotUnreadable;

    public override Recovery Recovery => _ignoreSnapshots ? new Recovery(SnapshotSelectionCriteria.None) : base.Recovery;

    /// <summary>A snapshot this Master cannot read stops recovery; the guard then recovers from the events alone.</summary>
    private void RecoverSnapshot(SnapshotOffer offer)
    {
        try
        {
            _state = ReadSnapshot(offer.Snapshot, offer.Metadata.SequenceNr);
        }
        catch (Exception e) when (e is InvalidOperationException or JsonException or InvalidCastException)
        {
            _snapshotUnreadable = true;
            Context.Parent.Tell(new SnapshotUnreadable(e.Message));
            throw;
        }
    }

    /// <summary>
    /// The state a snapshot holds (taken after event <paramref name="sequenceNr"/>); throws InvalidOperationException,
    /// JsonException or InvalidCastException for one this Master cannot read.
    /// </summary>
    internal static SchedulerState ReadSnapshot(object stored, long sequenceNr)
    {
        var snapshot = (MasterSnapshot)stored;
        if (snapshot.Version != SnapshotVersion)
        {
            throw new InvalidOperationException($"snapshot {sequenceNr} has version {snapshot.Version}; this Master reads {SnapshotVersion}");
        }

        return snapshot.State.Deserialize<SchedulerState>(SnapshotJson)
               ?? throw new InvalidOperationException($"snapshot {sequenceNr} is empty");
    }

    private void SnapshotWhenDue()
    {
        if (++_eventsSinceSnapshot < _settings.SnapshotEvery || _snapshotting)
        {
            return;
        }

        _snapshotting = true;
        SaveSnapshot(new MasterSnapshot(SnapshotVersion, JsonSerializer.SerializeToElement(_state, SnapshotJson)));
    }

    private void OnSnapshotSaved(SaveSnapshotSuccess saved)
    {
        (_snapshotting, _eventsSinceSnapshot) = (false, 0);
        DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
        _log.Debug("Snapshot at event {SequenceNr} saved", saved.Metadata.SequenceNr);
    }

    /// <summary>Not fatal: recovery replays a few more events. A failing database is found by writes and checks.</summary>
    private void OnSnapshotFailed(SaveSnapshotFailure failed)
    {
        _snapshotting = false;
        _log.Warning("Snapshot at event {SequenceNr} failed: {Error}", failed.Metadata.SequenceNr, failed.Cause.GetBaseException().Message);
    }
}
