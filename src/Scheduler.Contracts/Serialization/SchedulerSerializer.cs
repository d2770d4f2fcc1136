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

    /// <summary>
    /// The message of <paramref name="manifest"/>; bytes that are not one (garbage, cut off, another version's unknown
    /// manifest) throw a <see cref="SerializationException"/> naming the manifest, the size and what is wrong — never
    /// anything else, so a node's transport drops such a message, logs it and carries on.
    /// </summary>
    public override object FromBinary(byte[] bytes, string manifest)
    {
        try
        {
            return JsonSerializer.Deserialize(bytes, MessageManifests.TypeOf(manifest), _options)
                ?? throw new SerializationException($"Cannot read a '{manifest}' message of {bytes.Length} bytes: it is null");
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException or InvalidOperationException
                                      or FormatException or OverflowException or InvalidCastException)
        {
            throw new SerializationException($"Cannot read a '{manifest}' message of {bytes.Length} bytes: {e.Message}", e);
        }
    }

    /// <summary>The JSON options of the wire and journal format, also used by the CLI's <c>--json</c> output.</summary>
    public static JsonSerializerOptions CreateOptions(params JsonConverter[] extra)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.Converters.Add(new JournaledTaskEventsConverter());
        foreach (var converter in extra)
        {
            options.Converters.Add(converter);
        }

        return options;
    }
}
