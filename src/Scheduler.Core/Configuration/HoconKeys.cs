using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Scheduler.Core.Configuration;

/// <summary>The keys a HOCON document sets, as dotted paths to its values.</summary>
public static class HoconKeys
{
    /// <summary>Every path to a value (not to an object) in <paramref name="config"/>, e.g. <c>scheduler.agent.name</c>.</summary>
    public static IEnumerable<string> Leaves(Config config) => config.IsEmpty ? [] : Leaves(config.Root, "");

    private static IEnumerable<string> Leaves(HoconValue value, string path) =>
        value.IsObject()
            ? value.GetObject().Items.SelectMany(item => Leaves(item.Value, path.Length == 0 ? item.Key : $"{path}.{item.Key}"))
            : [path];

    /// <summary>The key of <paramref name="known"/> nearest to <paramref name="key"/> in edits, if it is near (a likely misspelling).</summary>
    public static string? Nearest(string key, IEnumerable<string> known) =>
        known.Select(k => (Key: k, Distance: Distance(key, k))).Where(k => k.Distance <= 3).OrderBy(k => k.Distance).Select(k => k.Key).FirstOrDefault();

    /// <summary>Levenshtein distance: insertions, deletions and substitutions.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
