namespace Scheduler.Core.Database;

/// <summary>
/// <c>scheduler.master.db.give-up-after</c>: how long a Master waits for its database before it makes way.
/// In a cluster of several masters it leaves so another master can take over, at most after
/// <see cref="ClusterMaximum"/>; the last master up never gives up. A single master waits for ever by default,
/// or gives up (stops) after the configured duration.
/// </summary>
/// <param name="After">The configured duration; null for <c>infinite</c> (or <c>auto</c>).</param>
/// <param name="IsAuto"><c>auto</c>: <see cref="ClusterMaximum"/> with other masters up, infinite alone.</param>
public sealed record DatabaseGiveUp(TimeSpan? After, bool IsAuto)
{
    public static readonly TimeSpan ClusterMaximum = TimeSpan.FromSeconds(120);

    public static DatabaseGiveUp Auto { get; } = new(null, IsAuto: true);

    /// <summary>The wait that applies now; null: never give up.</summary>
    /// <param name="otherMastersUp">Whether another master of the cluster is up to take over.</param>
    public TimeSpan? Limit(bool otherMastersUp)
    {
        if (!otherMastersUp)
        {
            return IsAuto ? null : After;
        }

        return IsAuto || After is null || After > ClusterMaximum ? ClusterMaximum : After;
    }

    /// <summary>Whether a cluster configured with several masters may use this setting (it must not exceed the maximum).</summary>
    public bool AllowedInCluster => IsAuto || After is { } after && after <= ClusterMaximum;
}
