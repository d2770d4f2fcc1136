namespace Scheduler.Agent.Link;

/// <summary>
/// Dates the agent's round trips with the Master: each heartbeat or registration the agent sends gets a
/// sequence number and its send time; a Master answer that acknowledges a number proves the link worked
/// both ways at that send time. So a one-way cut ends round trips, and answers that queued up while a
/// process was frozen are dated by when their heartbeats were sent, not by when they arrived. Not thread-safe.
/// </summary>
public sealed class RoundTrips
{
    private const int MaxPending = 100_000;
    private readonly Queue<(long Sequence, DateTimeOffset SentAt)> _pending = new();
    private long _nextSequence;

    public RoundTrips(DateTimeOffset? last) => Last = last;

    /// <summary>When the agent sent the newest message the Master acknowledged; null before the first round trip.</summary>
    public DateTimeOffset? Last { get; private set; }

    /// <summary>Numbers a message about to be sent.</summary>
    public long Send(DateTimeOffset now)
    {
        var sequence = ++_nextSequence;
        _pending.Enqueue((sequence, now));
        if (_pending.Count > MaxPending)
        {
            _pending.Dequeue(); // unanswered for so long that it no longer matters
        }

        return sequence;
    }

    /// <summary>The Master acknowledged <paramref name="sequence"/>: returns true if that moves <see cref="Last"/> on.</summary>
    public bool Acknowledge(long sequence)
    {
        DateTimeOffset? sentAt = null;
        while (_pending.TryPeek(out var oldest) && oldest.Sequence <= sequence)
        {
            _pending.Dequeue();
            if (oldest.Sequence == sequence)
            {
                sentAt = oldest.SentAt;
            }
        }

        if (sentAt is not { } at || at <= Last)
        {
            return false;
        }

        Last = at;
        return true;
    }

    /// <summary>How long there has been no round trip, counted from <paramref name="since"/> if there never was one.</summary>
    public TimeSpan Silence(DateTimeOffset now, DateTimeOffset since) => now - (Last ?? since);
}
