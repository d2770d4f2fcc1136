using System.Text.Json;
using System.Text.Json.Serialization;
using Scheduler.Contracts.Agents;

namespace Scheduler.Contracts.Serialization;

/// <summary>
/// Writes a list of journaled task events as a JSON array — an <see cref="EncodedTaskEvents"/> as the bytes it already
/// holds — and reads one as a plain list. Every <c>IReadOnlyList&lt;JournaledTaskEvent&gt;</c> property (a batch, the
/// Master's adoption event) goes through it.
/// </summary>
public sealed class JournaledTaskEventsConverter : JsonConverter<IReadOnlyList<JournaledTaskEvent>>
{
    public override IReadOnlyList<JournaledTaskEvent>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize<List<JournaledTaskEvent>>(ref reader, options);

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<JournaledTaskEvent> value, JsonSerializerOptions options)
    {
        if (value is EncodedTaskEvents encoded)
        {
            // Built by EncodedTaskEvents.Builder, which checked each stored object it copied.
            writer.WriteRawValue(encoded.Json, skipInputValidation: true);
            return;
        }

        writer.WriteStartArray();
        foreach (var e in value)
        {
            JsonSerializer.Serialize(writer, e, options);
        }

        writer.WriteEndArray();
    }
}
