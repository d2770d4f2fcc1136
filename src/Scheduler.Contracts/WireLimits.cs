namespace Scheduler.Contracts;

/// <summary>
/// Sizes that keep every message below Akka.Remote's default <c>maximum-frame-size</c> (128,000 bytes);
/// a larger message is dropped by the transport, so these are limits, not suggestions.
/// </summary>
public static class WireLimits
{
    /// <summary>Log bytes travel base64 in JSON (4/3 larger): 90,000 bytes become 120,000 characters.</summary>
    public const int MaxLogChunkBytes = 90_000;

    /// <summary>A replay batch's events, measured in their serialized form, leaving room for the envelope.</summary>
    public const int MaxReplayBatchBytes = 120_000;

    /// <summary>A list answered to a client (tasks, history, events), measured in its serialized entries.</summary>
    public const int MaxResultBytes = 110_000;
}
