using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Serialization;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Contracts.Tests;

/// <summary>
/// The agent forwards its journal's stored event bytes instead of deserializing and serializing every event: the batch
/// it builds must be the bytes the serializer writes for the same events, so any Master reads it.
/// </summary>
public sealed class EncodedTaskEventsSpecs : IDisposable
{
    private static readonly DateTimeOffset At = new(2025, 3, 4, 5, 6, 7, TimeSpan.FromHours(2));

    private readonly ActorSystem _system = ActorSystem.Create(
        "encoded", ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(SerializationConfig.Hocon));

    public void Dispose() => _system.Dispose();

    private SchedulerSerializer Serializer => (SchedulerSerializer)_system.Serialization.FindSerializerForType(typeof(AgentEventBatch));

    /// <summary>Every event type, with text the encoder escapes (quotes, markup, non-ASCII, a line break).</summary>
    private static ITaskEvent[] Events() =>
    [
        new TaskAccepted("t-1", new TaskSpec("t-1", ["sh", "-c", "echo \"<hi & bye>\"\n"], "/tmp/zwölf", new Dictionary<string, string> { ["Ä"] = "1" },
            TimeSpan.FromSeconds(30)), At),
        new TaskStarted("t-1", 42, 9000, "boot", At),
        new TaskExited("t-1", 3, At),
        new TaskTimedOut("t-1", TimeSpan.FromSeconds(30), null, At),
        new TaskKilled("t-1", "by user", 137, At, ByReconnectWindow: true),
        new TaskFailedToStart("t-1", "No such file or directory: 'ß'", At),
        new TaskLost("t-1", "agent restarted", At),
        new TaskOutputTruncated("t-1", 1_048_576, "No space left on device", At),
    ];

    /// <summary>The events as the agent's journal stores them: each serialized alone, under its own type's manifest.</summary>
    private EncodedTaskEvents Encode(IEnumerable<(long Offset, ITaskEvent Event)> events)
    {
        var builder = new EncodedTaskEvents.Builder();
        foreach (var (offset, e) in events)
        {
            var stored = Serializer.ToBinary(e);
            var type = EncodedTaskEvents.Builder.StoredType(SchedulerSerializer.SerializerId, Serializer.Manifest(e));
            Assert.NotNull(type);
            var bytesBefore = builder.Bytes;
            var size = builder.SizeOf(offset, type, stored.Length);
            builder.Add(offset, type, stored);
            Assert.Equal(bytesBefore + size, builder.Bytes); // the forwarder sizes batches by it: it must be exact
        }

        return builder.Build();
    }

    [Fact]
    public void A_batch_of_stored_events_should_be_byte_equal_to_the_serialized_batch_of_the_same_events()
    {
        var events = Events().Select((e, i) => (Offset: 1_000_000_000_000L + i * 7, Event: e)).ToList();
        var encoded = Encode(events);
        var objects = events.Select(e => new JournaledTaskEvent(e.Offset, e.Event)).ToList();

        var sent = Serializer.ToBinary(new AgentEventBatch("a1", "j1", 2, 999, events[^1].Offset, encoded));
        var expected = Serializer.ToBinary(new AgentEventBatch("a1", "j1", 2, 999, events[^1].Offset, objects));

        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(sent));
        // And equal to what a release before the encoded lists wrote (the plain collection converter): old masters read it.
        var before = new System.Text.Json.JsonSerializerOptions(SchedulerSerializer.CreateOptions());
        before.Converters.Remove(before.Converters.OfType<JournaledTaskEventsConverter>().Single());
        var previousRelease = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new AgentEventBatch("a1", "j1", 2, 999, events[^1].Offset, objects), before);
        Assert.Equal(Encoding.UTF8.GetString(previousRelease), Encoding.UTF8.GetString(sent));
        var back = (AgentEventBatch)Serializer.FromBinary(sent, "ag.events");
        Assert.Equal(objects.Select(e => (e.Offset, e.Event.GetType())), back.Events.Select(e => (e.Offset, e.Event.GetType())));
        Assert.Equal(new TaskKilled("t-1", "by user", 137, At, ByReconnectWindow: true), back.Events[4].Event);
        Assert.Equal(["sh", "-c", "echo \"<hi & bye>\"\n"], ((TaskAccepted)back.Events[0].Event).Spec.Command);
    }

    [Fact]
    public void An_encoded_list_read_without_a_transport_should_decode_itself()
    {
        var encoded = Encode(Events().Select((e, i) => ((long)i + 1, e)));

        Assert.Equal(8, encoded.Count);
        Assert.Equal(8, encoded.LastOffset);
        Assert.Equal(Events().Select(e => e.GetType()), encoded.Select(e => e.Event.GetType()));
        Assert.Equal(new TaskExited("t-1", 3, At), encoded[2].Event);
        Assert.Equal("[]", Encoding.UTF8.GetString(EncodedTaskEvents.Empty.Json));
        Assert.Empty(EncodedTaskEvents.Empty);
    }

    [Theory]
    [InlineData("not json", "is an invalid JSON literal")]
    [InlineData("[1]", "it is not a JSON object")]
    [InlineData("{\"taskId\":\"t-1\"} {}", "bytes follow the object")]
    [InlineData("{\"taskId\":\"t-1\"", "Expected depth to be zero")]
    [InlineData("{}", "the object has no properties")]
    public void A_damaged_stored_event_should_be_refused_naming_its_offset(string stored, string reason)
    {
        var builder = new EncodedTaskEvents.Builder();

        var error = Assert.Throws<InvalidDataException>(() => builder.Add(17, typeof(TaskExited), Encoding.UTF8.GetBytes(stored)));

        Assert.StartsWith("The journal's event at offset 17 (TaskExited, ", error.Message);
        Assert.True(error.Message.Contains(reason), error.Message);
        Assert.Equal(0, builder.Count);
    }

    [Theory]
    [InlineData(SchedulerSerializer.SerializerId, "te.started", typeof(TaskStarted))]
    [InlineData(SchedulerSerializer.SerializerId, "te.output-truncated", typeof(TaskOutputTruncated))]
    [InlineData(SchedulerSerializer.SerializerId, "ag.register", null)] // a scheduler message, not a task event
    [InlineData(SchedulerSerializer.SerializerId, "te.from-a-newer-version", null)]
    [InlineData(1, "te.started", null)] // another serializer's bytes are read and written again
    public void Only_task_events_the_scheduler_serializer_stored_should_be_copied(int serializerId, string manifest, Type? expected) =>
        Assert.Equal(expected, EncodedTaskEvents.Builder.StoredType(serializerId, manifest));
}
