using Scheduler.Contracts.Feed;

namespace Scheduler.Samples.Integrator;

/// <summary>
/// Keeps the offset of the last feed event processed in a file: written after each event (replacing the file in
/// one rename, so a crash leaves the old offset or the new one, never half of one), read at start.
/// </summary>
internal static class OffsetStore
{
    public static async Task<EventOffset> ReadAsync(string path)
    {
        if (!File.Exists(path))
        {
            return EventOffset.Start;
        }

        var text = (await File.ReadAllTextAsync(path)).Trim();
        return EventOffset.TryParse(text, out var offset)
            ? offset
            : throw new InvalidDataException($"{path} holds '{text}', not a feed offset (SEQUENCE:INDEX); delete it to read the feed from its start");
    }

    public static async Task WriteAsync(string path, EventOffset offset)
    {
        var temp = path + ".tmp";
        await File.WriteAllTextAsync(temp, offset.ToString());
        File.Move(temp, path, overwrite: true);
    }
}
