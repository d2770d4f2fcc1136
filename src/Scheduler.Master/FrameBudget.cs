using System.Text.Json;
using Scheduler.Contracts;
using Scheduler.Contracts.Serialization;

namespace Scheduler.Master;

/// <summary>
/// Keeps a list answered to a client below Akka.Remote's frame size: a larger answer would be dropped by the
/// transport and the client would only see a timeout. Entries are measured in their serialized form.
/// </summary>
public static class FrameBudget
{
    // The wire's own JSON options: they decide the escapes (non-ASCII, <>&'+) and so the size on the wire.
    private static readonly JsonSerializerOptions Wire = SchedulerSerializer.CreateOptions();

    /// <summary>The leading entries that fit in <see cref="WireLimits.MaxResultBytes"/>, and how many did not.</summary>
    public static (List<T> Kept, int Omitted) Take<T>(IReadOnlyList<T> entries) where T : notnull
    {
        var kept = new List<T>();
        var bytes = 0;
        foreach (var entry in entries)
        {
            bytes += JsonSerializer.SerializeToUtf8Bytes(entry, Wire).Length + 8;
            if (bytes > WireLimits.MaxResultBytes)
            {
                break;
            }

            kept.Add(entry);
        }

        return (kept, entries.Count - kept.Count);
    }
}
