using Akka.Actor;
using Scheduler.Agent.Tasks;

namespace Scheduler.Agent;

/// <summary>
/// The task supervisors: one child per task, started on demand and stopped when it has nothing left to do. A
/// supervisor never stops itself: it says so (<see cref="SupervisorIdle"/>) and the agent asks it to stop
/// (<see cref="StopSupervisor"/>), keeping the commands for its task that come meanwhile. Once it is gone they go to a
/// new one, started from the task's events; if it had work again by the time it was asked (a start, a release under
/// way), it says <see cref="SupervisorBusy"/> and they go to it. A supervisor stopping on its own would lose them: until
/// its stop is seen, the agent would still send it commands (a start sent again, a log request), and they would go to
/// dead letters. The stop is a command, not a poison pill: a persistent actor handles it only after its writes.
/// </summary>
public sealed partial class AgentActor
{
    /// <summary>Tasks whose supervisor is being stopped, with the commands for it that came since, in order.</summary>
    private readonly Dictionary<string, List<Held>> _stopping = [];

    /// <summary>Hands <paramref name="message"/> (with its sender) to the task's supervisor, started if needed.</summary>
    private void ToSupervisor(string taskId, object message, bool starting = false)
    {
        if (_stopping.TryGetValue(taskId, out var held))
        {
            held.Add(new Held(message, Sender, starting));
            return;
        }

        Supervisor(taskId, starting).Forward(message);
    }

    /// <summary>
    /// The task's supervisor, started if needed. One started for a start of a task id the journal has never held
    /// skips its replay (<see cref="_journaled"/> holds every task id journaled by this agent, read at its start).
    /// </summary>
    private IActorRef Supervisor(string taskId, bool starting = false)
    {
        var name = TaskSupervisorActor.ActorNameOf(taskId);
        var child = Context.Child(name);
        if (!child.IsNobody())
        {
            return child;
        }

        // Any supervisor may journal: one started for a kill of an unknown id gets the start that comes right after.
        var unjournaled = _journaled.Add(taskId) && starting;
        return Context.ActorOf(TaskSupervisorActor.Props(taskId, _settings.Name, _settings, _runtime.Processes, _time, unjournaled), name);
    }

    /// <summary>
    /// Asks an idle supervisor to stop, after the commands already in its mailbox; later ones wait in
    /// <see cref="_stopping"/>. An idle report from a supervisor already replaced is ignored.
    /// </summary>
    private void OnSupervisorIdle(SupervisorIdle idle)
    {
        var child = Context.Child(TaskSupervisorActor.ActorNameOf(idle.TaskId));
        if (child.IsNobody() || !child.Equals(Sender) || _stopping.ContainsKey(idle.TaskId))
        {
            return;
        }

        _stopping[idle.TaskId] = [];
        Context.Watch(child);
        child.Tell(StopSupervisor.Instance);
    }

    /// <summary>The supervisor had work again when asked to stop: it keeps running and gets what waited for it.</summary>
    private void OnSupervisorBusy(SupervisorBusy busy)
    {
        var child = Context.Child(TaskSupervisorActor.ActorNameOf(busy.TaskId));
        if (!child.Equals(Sender) || !_stopping.Remove(busy.TaskId, out var held))
        {
            return;
        }

        Context.Unwatch(child);
        foreach (var h in held)
        {
            child.Tell(h.Message, h.Sender);
        }
    }

    private void OnSupervisorStopped(Terminated stopped)
    {
        var taskId = TaskSupervisorActor.TaskIdOf(stopped.ActorRef.Path.Name);
        if (taskId is null || !_stopping.Remove(taskId, out var held))
        {
            return;
        }

        foreach (var h in held)
        {
            Supervisor(taskId, h.Starting).Tell(h.Message, h.Sender);
        }
    }

    private sealed record Held(object Message, IActorRef Sender, bool Starting);
}

/// <summary>A supervisor has nothing left to do for its task; the agent stops it (see <see cref="AgentActor"/>).</summary>
public sealed record SupervisorIdle(string TaskId) : INoSerializationVerificationNeeded;

/// <summary>The agent's answer to <see cref="SupervisorIdle"/>: stop, unless there is work again.</summary>
public sealed class StopSupervisor : INoSerializationVerificationNeeded
{
    public static StopSupervisor Instance { get; } = new();
}

/// <summary>A supervisor asked to stop has work again (its task started, a release under way): it keeps running.</summary>
public sealed record SupervisorBusy(string TaskId) : INoSerializationVerificationNeeded;
