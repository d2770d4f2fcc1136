using Scheduler.Contracts;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Agent.Journal;

/// <summary>
/// Reads the agent's task events in offset order (what the Master adopts, the agent's start scan and its release plan),
/// straight from the journal file: one query per page on a pooled connection, no stream pipeline. Blocking: actors call
/// it off their own thread.
/// </summary>
public sealed class TaskEventReader(string path, Akka.Serialization.Serialization serialization)
{
    private static readonly string Tag = AgentJournalFile.TagsColumn([SchedulerPaths.TaskEventTag]);

    private readonly AgentJournalFile.Opener _file = new(path);

    /// <summary>The reader of the journal file an agent's ActorSystem journals to (its plugin's <c>path</c>).</summary>
    public static TaskEventReader Of(Akka.Actor.ActorSystem system) =>
        new(system.Settings.Config.GetString(SqliteTaskJournal.PluginId + ".path"), system.Serialization);

    /// <summary>Every task event, in offset order.</summary>
    public IReadOnlyList<JournaledTaskEvent> ReadAll() =>
        Fold(new List<JournaledTaskEvent>(), (all, e) =>
        {
            all.Add(e);
            return all;
        });

    /// <summary>The task events after <paramref name="afterOffset"/>, at most <paramref name="maxEvents"/>.</summary>
    public IReadOnlyList<JournaledTaskEvent> Read(long afterOffset, int maxEvents)
    {
        var events = new List<JournaledTaskEvent>();
        using var connection = Open();
        using var command = AfterOffset(connection, afterOffset, maxEvents);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (Deserialize((byte[])reader[1], reader) is { } e)
            {
                events.Add(new JournaledTaskEvent(reader.GetInt64(0), e));
            }
        }

        return events;
    }

    /// <summary>
    /// The task events after <paramref name="afterOffset"/> in their wire form, for the Master: at most
    /// <paramref name="maxEvents"/> and, beyond the first, no more than <paramref name="maxBytes"/> of JSON (so a batch
    /// fits Akka.Remote's frame). Each event's stored bytes are copied, not deserialized (only a row another serializer
    /// wrote is read and written again).
    /// </summary>
    public EncodedTaskEvents ReadEncoded(long afterOffset, int maxEvents, int maxBytes)
    {
        var events = new EncodedTaskEvents.Builder();
        using var connection = Open();
        using var command = AfterOffset(connection, afterOffset, maxEvents);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var offset = reader.GetInt64(0);
            var message = (byte[])reader[1];
            var type = EncodedTaskEvents.Builder.StoredType(reader.GetInt32(3), Manifest(reader));
            if (type is null)
            {
                if (Deserialize(message, reader) is not { } e)
                {
                    continue;
                }

                (type, message) = (e.GetType(), EncodedTaskEvents.Builder.Serialize(e));
            }

            if (events.Count > 0 && events.Bytes + events.SizeOf(offset, type, message.Length) > maxBytes)
            {
                break;
            }

            events.Add(offset, type, message);
        }

        return events.Build();
    }

    /// <summary>
    /// The newest event of each task in the journal: what the agent's start needs (which tasks are open, which ids are
    /// journaled) without reading every event. SQLite takes the bare columns from the row holding the MAX.
    /// </summary>
    public IReadOnlyList<ITaskEvent> LastEventOfEachTask()
    {
        var events = new List<ITaskEvent>();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT MAX(sequence_number), message, manifest, identifier FROM journal
            WHERE deleted = 0 AND instr(tags, $tag) > 0
            GROUP BY persistence_id
            """;
        command.Parameters.AddWithValue("$tag", Tag);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (Deserialize((byte[])reader[1], reader) is { } e)
            {
                events.Add(e);
            }
        }

        return events;
    }

    /// <summary>Folds every task event, a page at a time.</summary>
    public TState Fold<TState>(TState state, Func<TState, JournaledTaskEvent, TState> add)
    {
        const int page = 5_000;
        var after = 0L;
        while (true)
        {
            var events = Read(after, page);
            foreach (var e in events)
            {
                state = add(state, e);
            }

            if (events.Count == 0)
            {
                return state;
            }

            after = events[^1].Offset;
        }
    }

    /// <summary>The task event rows after <paramref name="afterOffset"/> (offset, message, manifest, serializer id), at most <paramref name="max"/>.</summary>
    private static Microsoft.Data.Sqlite.SqliteCommand AfterOffset(Microsoft.Data.Sqlite.SqliteConnection connection, long afterOffset, int max)
    {
        var command = connection.CreateCommand();
        // Deleted rows belong to released tasks: the Master adopted them before it confirmed the release.
        command.CommandText = """
            SELECT ordering, message, manifest, identifier FROM journal
            WHERE ordering > $after AND deleted = 0 AND instr(tags, $tag) > 0
            ORDER BY ordering LIMIT $max
            """;
        command.Parameters.AddWithValue("$after", afterOffset);
        command.Parameters.AddWithValue("$tag", Tag);
        command.Parameters.AddWithValue("$max", max);
        return command;
    }

    private static string Manifest(Microsoft.Data.Sqlite.SqliteDataReader reader) => reader.IsDBNull(2) ? "" : reader.GetString(2);

    /// <summary><paramref name="message"/> (column 1 of the row) by the row's manifest and serializer id (columns 2, 3), if a task event.</summary>
    private ITaskEvent? Deserialize(byte[] message, Microsoft.Data.Sqlite.SqliteDataReader reader) =>
        serialization.Deserialize(message, reader.GetInt32(3), Manifest(reader)) as ITaskEvent;

    private Microsoft.Data.Sqlite.SqliteConnection Open() => _file.Open();
}
