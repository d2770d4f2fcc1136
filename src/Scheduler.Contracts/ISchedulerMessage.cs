namespace Scheduler.Contracts;

/// <summary>
/// Marker for everything that crosses a process boundary or goes into a journal. It is bound to
/// <see cref="Serialization.SchedulerSerializer"/>, which writes System.Text.Json under short fixed
/// manifests, so renaming a CLR type never breaks a journal or a peer.
/// </summary>
public interface ISchedulerMessage
{
}
