using System.Buffers.Text;
using System.Collections;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Scheduler.Contracts.Serialization;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Contracts.Agents;

/// <summary>
/// Journaled task events already in their wire form: the JSON array an <see cref="AgentEventBatch"/> carries, built from
/// each event's bytes as the agent's journal stored them. The agent forwards its journal without deserializing every
/// event and serializing it again (that round trip was a sixth of the adoption benchmark's CPU, issue 8); the bytes on
/// the wire are the same as the serializer writes for the events, so a Master reads them as any batch. Read locally
/// (no transport in between), the list decodes itself on first use.
/// </summary>
public sealed class EncodedTaskEvents : IReadOnlyList<JournaledTaskEvent>
{
    private static readonly JsonSerializerOptions Options = SchedulerSerializer.CreateOptions();

    private readonly byte[] _json;
    private readonly long[] _offsets;
    private List<JournaledTaskEvent>? _decoded;

    private EncodedTaskEvents(byte[] json, long[] offsets)
    {
        _json = json;
        _offsets = offsets;
    }

    public static EncodedTaskEvents Empty { get; } = new Builder().Build();

    /// <summary>The JSON array of the events, as the serializer writes a list of <see cref="JournaledTaskEvent"/>.</summary>
    public ReadOnlySpan<byte> Json => _json;

    public int Count => _offsets.Length;

    /// <summary>The offset of the last event (0 when there is none), without decoding anything.</summary>
    public long LastOffset => _offsets.Length == 0 ? 0 : _offsets[^1];

    public JournaledTaskEvent this[int index] => Decoded[index];

    public IEnumerator<JournaledTaskEvent> GetEnumerator() => Decoded.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private List<JournaledTaskEvent> Decoded =>
        _decoded ??= JsonSerializer.Deserialize<List<JournaledTaskEvent>>(_json, Options) ?? [];

    /// <summary>
    /// Builds the array one event at a time from the JSON the scheduler's serializer wrote for the event's own type
    /// (what the journal stores under a <c>te.*</c> manifest): the wrapper and the type discriminator are written
    /// around the stored object, its bytes are copied once.
    /// </summary>
    public sealed class Builder
    {
        private static readonly byte[] OffsetPrefix = Encoding.UTF8.GetBytes($"{{\"{Name(nameof(JournaledTaskEvent.Offset))}\":");
        private static readonly byte[] EventPrefix = Encoding.UTF8.GetBytes($",\"{Name(nameof(JournaledTaskEvent.Event))}\":{{");
        private static readonly Dictionary<Type, byte[]> DiscriminatorByType = TaskEventDiscriminators();

        private byte[] _buffer = new byte[16 * 1024];
        private int _length = 1;
        private readonly List<long> _offsets = [];

        public Builder() => _buffer[0] = (byte)'[';

        public int Count => _offsets.Count;

        /// <summary>The size of the array built so far, in bytes.</summary>
        public int Bytes => _length + 1;

        /// <summary>What adding an event of <paramref name="storedJsonLength"/> bytes at <paramref name="offset"/> would add.</summary>
        public int SizeOf(long offset, Type eventType, int storedJsonLength) =>
            // A comma after the previous event; the wrapper up to the event's '{'; the discriminator; the stored object
            // without its '{'; the wrapper's '}'.
            (_offsets.Count > 0 ? 1 : 0) + OffsetPrefix.Length + Digits(offset) + EventPrefix.Length + Discriminator(eventType).Length
            + (storedJsonLength - 1) + 1;

        /// <summary>
        /// Adds the event at <paramref name="offset"/> of type <paramref name="eventType"/> from the JSON object the serializer
        /// wrote for that type. Bytes that are not one JSON object throw (a damaged journal row must not reach the Master).
        /// </summary>
        public void Add(long offset, Type eventType, ReadOnlySpan<byte> storedJson)
        {
            var discriminator = Discriminator(eventType);
            RequireObject(offset, eventType, storedJson);
            Reserve(SizeOf(offset, eventType, storedJson.Length));
            if (_offsets.Count > 0)
            {
                _buffer[_length++] = (byte)',';
            }

            Append(OffsetPrefix);
            Utf8Formatter.TryFormat(offset, _buffer.AsSpan(_length), out var written);
            _length += written;
            Append(EventPrefix);
            Append(discriminator);
            // The stored object without its '{' (written above): its properties, then its '}'; then the wrapper's '}'.
            Append(storedJson[1..]);
            _buffer[_length++] = (byte)'}';
            _offsets.Add(offset);
        }

        /// <summary>An event in the form <see cref="Add"/> copies, for a row another serializer wrote.</summary>
        public static byte[] Serialize(ITaskEvent e) => JsonSerializer.SerializeToUtf8Bytes(e, e.GetType(), Options);

        public EncodedTaskEvents Build()
        {
            var json = new byte[_length + 1];
            _buffer.AsSpan(0, _length).CopyTo(json);
            json[_length] = (byte)']';
            return new EncodedTaskEvents(json, [.. _offsets]);
        }

        /// <summary>The task event type a journal row holds, when the scheduler's serializer wrote it (null otherwise).</summary>
        public static Type? StoredType(int serializerId, string manifest) =>
            serializerId == SchedulerSerializer.SerializerId && MessageManifests.TryTypeOf(manifest, out var type)
                && DiscriminatorByType.ContainsKey(type)
                ? type
                : null;

        private static byte[] Discriminator(Type eventType) =>
            DiscriminatorByType.TryGetValue(eventType, out var discriminator)
                ? discriminator
                : throw new ArgumentException($"{eventType.FullName} is not a task event of {nameof(ITaskEvent)}", nameof(eventType));

        /// <summary>The object's first property written ahead of the stored ones: <c>"$e":"started",</c> for each event type.</summary>
        private static Dictionary<Type, byte[]> TaskEventDiscriminators()
        {
            var property = typeof(ITaskEvent).GetCustomAttribute<JsonPolymorphicAttribute>()!.TypeDiscriminatorPropertyName;
            return typeof(ITaskEvent).GetCustomAttributes<JsonDerivedTypeAttribute>().ToDictionary(
                d => d.DerivedType,
                d => Encoding.UTF8.GetBytes($"\"{property}\":\"{d.TypeDiscriminator}\","));
        }

        private static void RequireObject(long offset, Type eventType, ReadOnlySpan<byte> json)
        {
            try
            {
                var reader = new Utf8JsonReader(json);
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new JsonException("it is not a JSON object");
                }

                reader.Skip();
                if (reader.BytesConsumed != json.Length)
                {
                    throw new JsonException("bytes follow the object");
                }

                // The discriminator is written ahead of the first property: the serializer writes none without a name.
                if (json[1] != (byte)'"')
                {
                    throw new JsonException("the object has no properties");
                }
            }
            catch (JsonException e)
            {
                throw new InvalidDataException(
                    $"The journal's event at offset {offset} ({eventType.Name}, {json.Length} bytes) cannot be forwarded: {e.Message}", e);
            }
        }

        private void Append(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_buffer.AsSpan(_length));
            _length += bytes.Length;
        }

        private void Reserve(int more)
        {
            // One byte more for the closing ']'.
            if (_length + more + 1 > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more + 1));
            }
        }

        private static int Digits(long value)
        {
            Span<byte> digits = stackalloc byte[20];
            Utf8Formatter.TryFormat(value, digits, out var written);
            return written;
        }

        /// <summary>A property's name on the wire (the serializer's naming policy).</summary>
        private static string Name(string property) => Options.PropertyNamingPolicy?.ConvertName(property) ?? property;
    }
}
