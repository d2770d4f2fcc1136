namespace Scheduler.Core.Tasks;

/// <summary>A kill's reason as one of a few kinds: the <c>reason</c> label of the kill metrics of masters and agents.</summary>
public static class KillKinds
{
    public const string Request = "request";
    public const string ReconnectWindow = "reconnect-window";
    public const string AgentStopped = "agent-stopped";
    public const string Other = "other";

    /// <param name="reason">The reason journaled with the kill.</param>
    /// <param name="byReconnectWindow">The agent killed the task itself at the end of its reconnect window.</param>
    public static string Of(string reason, bool byReconnectWindow) => reason switch
    {
        _ when byReconnectWindow || reason.StartsWith("master unreachable", StringComparison.Ordinal) => ReconnectWindow,
        _ when reason.StartsWith("killed on request", StringComparison.Ordinal) => Request,
        _ when reason.StartsWith("agent stopped", StringComparison.Ordinal) => AgentStopped,
        _ => Other,
    };
}
