using Akka.Actor;
using Scheduler.Agent.Tasks;

namespace Scheduler.Agent;

/// <summary>
/// The task supervisors: one child per task, started on demand and stopped when it has nothing left to do. A
/// supervisor never stops itself: it says so (<see cref="SupervisorIdle"/>) and the agent stops it, keeping the commands
/// for its task that come meanwhile and handing them to a new one from the task's events once the old one is gone. A
/// supervisor stopping on its own would lose them: until its stop is seen, the agent would still send it commands
/// (a start sent again, a log request), and they would go to dead letters.
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

        var unjournaled = starting && _journaled.Add(taskId);
        return Context.ActorOf(TaskSupervisorActor.Props(taskId, _settings.Name, _settings, _runtime.Processes, _time, unjournaled), name);
    }

    /// <summary>
    /// Stops an idle supervisor after the commands already in its mailbox (a poison pill comes after them); later ones
    /// wait in <see cref="_stopping"/>. An idle report from a supervisor already replaced is ignored.
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
        child.Tell(PoisonPill.Instance);
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
