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

    /// <summary>
    /// A task's spec (command, environment, working directory) serialized: it travels whole in SubmitTask, StartTask and
    /// the agent's TaskAccepted (a replay batch of one event must still fit), so it is kept well below a frame.
    /// </summary>
    public const int MaxTaskSpecBytes = 64_000;

    /// <summary>
    /// Akka.Remote's default <c>maximum-frame-size</c>. A message whose serialized form (with its envelope: recipient,
    /// sender, manifest) is larger never arrives, and its sender is not told: it is logged and dropped by the transport.
    /// </summary>
    public const int FrameBytes = 128_000;

    /// <summary>Room left in a frame for the envelope around a request's own bytes (paths, manifests, ClusterClient's wrapper).</summary>
    public const int EnvelopeBytes = 4_000;

    /// <summary>A list answered to a client (tasks, history, events), measured in its serialized entries.</summary>
    public const int MaxResultBytes = 110_000;
}
