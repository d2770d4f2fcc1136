using System.Text.Json;

namespace Scheduler.Agent;

/// <summary>
/// Who this agent's journal is: <see cref="JournalId"/> is created with the journal (a wiped data folder
/// gets a new one), <see cref="Incarnation"/> grows with every ActorSystem the agent process starts.
/// </summary>
public sealed record AgentIdentity(string JournalId, long Incarnation)
{
    private const string FileName = "identity.json";

    /// <summary>Reads the journal id stored beside the journal, creating it with a new journal.</summary>
    public static string LoadOrCreateJournalId(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        var path = Path.Combine(dataDir, FileName);
        if (File.Exists(path))
        {
            var stored = JsonSerializer.Deserialize<StoredIdentity>(File.ReadAllText(path));
            if (stored?.JournalId is { Length: > 0 } id)
            {
                return id;
            }

            throw new InvalidDataException($"{path} holds no journal id; it is not an agent identity file");
        }

        var journalId = Guid.NewGuid().ToString("N");
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(new StoredIdentity(journalId)));
        File.Move(temp, path);
        return journalId;
    }

    /// <summary>A new incarnation number: the wall clock in milliseconds, so it grows across process restarts too.</summary>
    public static long NextIncarnation(TimeProvider time, long previous = 0) =>
        Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds(), previous + 1);

    private sealed record StoredIdentity(string JournalId);
}
