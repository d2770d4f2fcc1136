using System.Globalization;

namespace Scheduler.Contracts.Feed;

/// <summary>
/// Where an event stands in the event feed: <paramref name="Sequence"/> is the sequence number of the Master's
/// journal event it was derived from (the journal every master shares, whose events are never deleted), and
/// <paramref name="Index"/> its place (1, 2, …) among the feed events that journal event gave. So an offset means
/// the same on every master, before and after a restart or a hand-over. Written <c>SEQUENCE:INDEX</c>.
/// </summary>
public readonly record struct EventOffset(long Sequence, int Index) : IComparable<EventOffset>
{
    /// <summary>Before the first event: reading after it gives the whole feed.</summary>
    public static EventOffset Start { get; } = new(0, 0);

    public int CompareTo(EventOffset other) =>
        Sequence != other.Sequence ? Sequence.CompareTo(other.Sequence) : Index.CompareTo(other.Index);

    public static bool operator <(EventOffset a, EventOffset b) => a.CompareTo(b) < 0;

    public static bool operator >(EventOffset a, EventOffset b) => a.CompareTo(b) > 0;

    public static bool operator <=(EventOffset a, EventOffset b) => a.CompareTo(b) <= 0;

    public static bool operator >=(EventOffset a, EventOffset b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{Sequence}:{Index}";

    /// <summary>Reads <c>SEQUENCE:INDEX</c> (both not negative), as <see cref="ToString"/> writes it.</summary>
    public static bool TryParse(string? text, out EventOffset offset)
    {
        offset = Start;
        var parts = text?.Split(':');
        if (parts is not { Length: 2 }
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return false;
        }

        offset = new EventOffset(sequence, index);
        return true;
    }
}
