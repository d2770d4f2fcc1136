using Akka.Actor;
using Akka.Persistence;

namespace Scheduler.Master.Tests;

/// <summary>A master rehearses the scheduler's recovery once it can read an event, then the rehearsal stops.</summary>
public sealed class RecoveryRehearsalSpecs() : Akka.TestKit.Xunit2.TestKit(
    "akka.persistence.snapshot-store.plugin = \"akka.persistence.snapshot-store.inmem\"")
{
    [Fact]
    public async Task The_rehearsal_should_try_again_until_the_journal_has_an_event_and_then_stop()
    {
        var rehearsal = Sys.ActorOf(RecoveryRehearsal.Props(TimeSpan.FromMilliseconds(200)), "recovery-rehearsal");
        Watch(rehearsal);

        // The cluster's first start: no event yet, so nothing of the replay has been rehearsed; it keeps trying.
        await ExpectNoMsgAsync(TimeSpan.FromSeconds(1));

        Sys.ActorOf(Props.Create(() => new FirstEventWriter(TestActor)));
        await ExpectMsgAsync("written");
        await ExpectTerminatedAsync(rehearsal);
    }

    /// <summary>Writes one event under the scheduler's persistence id, as the first singleton does with its epoch.</summary>
    private sealed class FirstEventWriter : ReceivePersistentActor
    {
        public FirstEventWriter(IActorRef probe)
        {
            Command<string>(_ => Persist("epoch 1", _ => probe.Tell("written")));
            Recover<string>(_ => { });
        }

        public override string PersistenceId => SchedulerActor.JournalPersistenceId;

        protected override void OnReplaySuccess() => Self.Tell("write");
    }
}
