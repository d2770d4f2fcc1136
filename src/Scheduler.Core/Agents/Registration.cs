namespace Scheduler.Core.Agents;

/// <summary>What the Master does with a RegisterAgent.</summary>
public enum RegistrationDecision
{
    /// <summary>New agent, a newer incarnation, or the holder of the name has gone silent: (re)place the session.</summary>
    Accept,
    /// <summary>A copy of the current incarnation's registration (they arrive in bursts): answer again, change nothing.</summary>
    Repeat,
    /// <summary>An older incarnation than the one registered: ignore it.</summary>
    Stale,
    /// <summary>Another live agent (another journal) holds the name: refuse.</summary>
    Refuse,
}

/// <summary>
/// The facts of the current session under a name that decide a registration. <paramref name="Gone"/>: the
/// Master no longer watches that agent (it stopped, or its actor system was quarantined).
/// </summary>
public sealed record SessionFacts(string JournalId, long Incarnation, DateTimeOffset LastSeen, bool Gone = false);

public static class Registration
{
    public static RegistrationDecision Decide(
        SessionFacts? current, string journalId, long incarnation, DateTimeOffset now, TimeSpan unreachableAfter)
    {
        if (current is null)
        {
            return RegistrationDecision.Accept;
        }

        if (current.JournalId == journalId)
        {
            return incarnation > current.Incarnation ? RegistrationDecision.Accept
                : incarnation == current.Incarnation ? RegistrationDecision.Repeat
                : RegistrationDecision.Stale;
        }

        // A different journal under this name: a second agent process, or the same host with a wiped
        // data folder. Only when the current holder has stopped or gone silent can the newcomer take the name.
        return current.Gone || now - current.LastSeen > unreachableAfter ? RegistrationDecision.Accept : RegistrationDecision.Refuse;
    }
}
