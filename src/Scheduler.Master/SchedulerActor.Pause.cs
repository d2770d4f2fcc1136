using Akka.Actor;
using Akka.Event;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Journal;

namespace Scheduler.Master;

/// <summary>
/// Pause and resume. A paused Master does everything but start tasks: agents register and couple, their journals
/// are adopted, logs copied, every query answered, kills sent; submitted tasks are accepted and stay Pending. The
/// pause is persisted, so a restart or a new singleton after a fail-over stays paused until resumed.
/// </summary>
public sealed partial class SchedulerActor
{
    private void OnStatusQuery(StatusQuery query)
    {
        var replyTo = Sender;
        switch (query.Request)
        {
            case PauseMaster when !_state.Paused:
                PersistAndApply(new MasterPaused("paused on request", Now), _ =>
                {
                    _log.Warning("Master paused on request: running tasks continue, no task starts until resume");
                    replyTo.Tell(new StatusResult(Status(query.Database)));
                });
                return;
            case ResumeMaster when _state.Paused:
                PersistAndApply(new MasterResumed(Now), _ =>
                {
                    _log.Info("Master resumed: pending tasks start");
                    replyTo.Tell(new StatusResult(Status(query.Database)));
                    ResendAll();
                });
                return;
            default:
                replyTo.Tell(new StatusResult(Status(query.Database)));
                return;
        }
    }
}
