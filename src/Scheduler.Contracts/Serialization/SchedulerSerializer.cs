using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using System.Runtime.Serialization;
using Akka.Serialization;

namespace Scheduler.Contracts.Serialization;

/// <summary>
/// The one serializer for every <see cref="ISchedulerMessage"/>: System.Text.Json under the fixed
/// manifests of <see cref="MessageManifests"/>. Never the default Newtonsoft serializer, which stores
/// CLR type names and breaks replay on a rename.
/// </summary>
public sealed class SchedulerSerializer : SerializerWithStringManifest
{
    public const int SerializerId = 4711;

    private readonly JsonSerializerOptions _options;

    public SchedulerSerializer(ExtendedActorSystem system) : base(system)
    {
        _options = CreateOptions(new ActorRefJsonConverter(system));
    }

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => MessageManifests.ManifestOf(o.GetType());

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), _options);

    public override object FromBinary(byte[] bytes, string manifest) =>
        JsonSerializer.Deserialize(bytes, MessageManifests.TypeOf(manifest), _options)
        ?? throw new SerializationException($"Message '{manifest}' deserialized to null.");

    /// <summary>The JSON options of the wire and journal format, also used by the CLI's <c>--json</c> output.</summary>
    public static JsonSerializerOptions CreateOptions(params JsonConverter[] extra)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        foreach (var converter in extra)
        {
            options.Converters.Add(converter);
        }

        return options;
    }
}
