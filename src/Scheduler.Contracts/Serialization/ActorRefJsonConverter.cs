using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;

namespace Scheduler.Contracts.Serialization;

/// <summary>
/// Writes an actor ref as its full serialized path (with the address of the transport in use) and
/// resolves it back through the receiving system's provider, the way Akka's own serializers do.
/// </summary>
internal sealed class ActorRefJsonConverter(ExtendedActorSystem system) : JsonConverter<IActorRef>
{
    public override IActorRef? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var path = reader.GetString();
        return string.IsNullOrEmpty(path) ? ActorRefs.Nobody : system.Provider.ResolveActorRef(path);
    }

    public override void Write(Utf8JsonWriter writer, IActorRef value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Akka.Serialization.Serialization.SerializedActorPath(value));
}
