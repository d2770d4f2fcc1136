using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Serialization;
using Akka.Util;
using Microsoft.Data.Sqlite;

namespace Scheduler.Agent.Journal;

/// <summary>
/// The agent's Akka.Persistence journal plugin: task supervisors persist through it into the agent's SQLite file
/// (<see cref="AgentJournalFile"/>). Writes from all supervisors are committed together by one <see cref="JournalWriter"/>;
/// reads run on pooled connections of their own, which in WAL mode neither wait for the writer nor block it.
/// Replaces Akka.Persistence.Sql on agents (issue 8: a linq2db query and an Akka.Streams pipeline per operation cost most
/// of an agent's CPU per task); the rows are the same, so journals move between the two either way.
/// </summary>
public sealed class SqliteTaskJournal : AsyncWriteJournal
{
    /// <summary>Where a node's HOCON puts this plugin.</summary>
    public const string PluginId = "scheduler.agent.task-journal";

    private readonly AgentJournalFile.Opener _file;
    private readonly Akka.Serialization.Serialization _serialization;
    private JournalWriter? _writer;
    /// <summary>Each persistence id's newest write not committed yet (writes commit in order, so waiting for it is enough).</summary>
    private readonly ConcurrentDictionary<string, Task> _pendingWrites = new();

    public SqliteTaskJournal(Config config)
    {
        _file = new AgentJournalFile.Opener(config.GetString("path") is { Length: > 0 } path
            ? path
            : throw new ConfigurationException($"{PluginId}.path must name the agent's journal file"));
        _serialization = Context.System.Serialization;
    }

    /// <summary>The plugin's configuration for the journal file at <paramref name="path"/>, made the default journal.</summary>
    public static Config Hocon(string path) =>
        ConfigurationFactory.ParseString($$"""
            akka.persistence.journal.plugin = "{{PluginId}}"
            {{PluginId}} {
              class = "{{typeof(SqliteTaskJournal).AssemblyQualifiedName}}"
              plugin-dispatcher = "akka.actor.default-dispatcher"
              path = "{{path.Replace("\\", "\\\\").Replace("\"", "\\\"")}}"
            }
            """);

    /// <summary>Opened with the first write, and again with the next one if opening failed.</summary>
    private JournalWriter Writer => _writer ??= new JournalWriter(_file.Path);

    protected override void PostStop()
    {
        _writer?.Dispose();
        base.PostStop();
    }

    protected override Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var writes = messages.ToList();
        var rows = new List<Row>();
        var rejections = new Exception?[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            try
            {
                rows.AddRange(((IImmutableList<IPersistentRepresentation>)writes[i].Payload).Select(Serialize).ToList());
            }
            catch (Exception e)
            {
                // Rejected, not failed: the supervisor is told and carries on (Akka.Persistence's contract).
                rejections[i] = e;
            }
        }

        var written = rows.Count == 0 ? Task.CompletedTask : Writer.Enqueue(connection => Insert(connection, rows));
        Track(written, rows.Select(r => r.PersistenceId).Distinct().ToList());
        var hasRejections = rejections.Any(r => r is not null);
        var eventStream = Context.System.EventStream;
        return written.ContinueWith(
            t =>
            {
                if (t.IsFaulted)
                {
                    throw t.Exception!.GetBaseException();
                }

                if (rows.Count > 0)
                {
                    // The forwarder reads new events as soon as they are committed instead of at its next poll.
                    eventStream.Publish(TaskEventsJournaled.Instance);
                }

                return hasRejections ? (IImmutableList<Exception?>)rejections.ToImmutableList() : null!;
            },
            cancellationToken, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    protected override Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken) =>
        Writer.Enqueue(connection => Delete(connection, persistenceId, toSequenceNr));

    public override Task ReplayMessagesAsync(
        IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<IPersistentRepresentation> recoveryCallback) =>
        Task.Run(() =>
        {
            using var connection = _file.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT sequence_number, message, manifest, identifier, writer_uuid, created FROM journal
                WHERE persistence_id = $id AND sequence_number >= $from AND sequence_number <= $to AND deleted = 0
                ORDER BY sequence_number LIMIT $max
                """;
            command.Parameters.AddWithValue("$id", persistenceId);
            command.Parameters.AddWithValue("$from", fromSequenceNr);
            command.Parameters.AddWithValue("$to", toSequenceNr);
            command.Parameters.AddWithValue("$max", max);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var manifest = reader.IsDBNull(2) ? "" : reader.GetString(2);
                var payload = _serialization.Deserialize((byte[])reader[1], reader.GetInt32(3), manifest);
                recoveryCallback(new Persistent(payload, reader.GetInt64(0), persistenceId, manifest, isDeleted: false, ActorRefs.NoSender,
                    reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt64(5)));
            }
        });

    /// <summary>
    /// Deleted rows count: a released task's last row stays (marked) so that its sequence never starts again. Waits for
    /// the persistence id's writes still queued (as Akka.Persistence.Sql does): a supervisor re-created after its write
    /// timed out would otherwise start from a sequence number that write is about to take.
    /// </summary>
    public override Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken) =>
        Task.Run(async () =>
        {
            if (_pendingWrites.TryGetValue(persistenceId, out var pending))
            {
                await pending.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            using var connection = _file.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT MAX(sequence_number) FROM journal WHERE persistence_id = $id";
            command.Parameters.AddWithValue("$id", persistenceId);
            return command.ExecuteScalar() is long highest ? highest : 0L;
        }, cancellationToken);

    private void Track(Task written, List<string> persistenceIds)
    {
        if (written.IsCompleted)
        {
            return;
        }

        persistenceIds.ForEach(id => _pendingWrites[id] = written);
        written.ContinueWith(_ => persistenceIds.ForEach(id => _pendingWrites.TryRemove(KeyValuePair.Create(id, written))),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private Row Serialize(IPersistentRepresentation representation)
    {
        var (payload, tags) = representation.Payload is Tagged tagged ? (tagged.Payload, AgentJournalFile.TagsColumn(tagged.Tags)) : (representation.Payload, "");
        var serializer = _serialization.FindSerializerFor(payload);
        var manifest = serializer switch
        {
            SerializerWithStringManifest withManifest => withManifest.Manifest(payload),
            { IncludeManifest: true } => payload.GetType().TypeQualifiedName(),
            _ => "",
        };
        var created = representation.Timestamp == 0 ? DateTime.UtcNow.Ticks : representation.Timestamp;
        return new Row(representation.PersistenceId, representation.SequenceNr, serializer.ToBinary(payload), tags, manifest, serializer.Identifier,
            representation.WriterGuid, created);
    }

    private static void Insert(SqliteConnection connection, List<Row> rows)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, tags, manifest, identifier, writer_uuid)
            VALUES ($created, 0, $id, $seq, $message, $tags, $manifest, $identifier, $writer)
            """;
        var created = command.Parameters.Add("$created", SqliteType.Integer);
        var id = command.Parameters.Add("$id", SqliteType.Text);
        var seq = command.Parameters.Add("$seq", SqliteType.Integer);
        var message = command.Parameters.Add("$message", SqliteType.Blob);
        var tags = command.Parameters.Add("$tags", SqliteType.Text);
        var manifest = command.Parameters.Add("$manifest", SqliteType.Text);
        var identifier = command.Parameters.Add("$identifier", SqliteType.Integer);
        var writer = command.Parameters.Add("$writer", SqliteType.Text);
        foreach (var row in rows)
        {
            created.Value = row.Created;
            id.Value = row.PersistenceId;
            seq.Value = row.SequenceNr;
            message.Value = row.Message;
            tags.Value = row.Tags;
            manifest.Value = row.Manifest;
            identifier.Value = row.Identifier;
            writer.Value = (object?)row.WriterUuid ?? DBNull.Value;
            command.ExecuteNonQuery();
        }
    }

    /// <summary>As Akka.Persistence.Sql deletes: all rows up to <paramref name="toSequenceNr"/> but the highest, which stays marked.</summary>
    private static void Delete(SqliteConnection connection, string persistenceId, long toSequenceNr)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE journal SET deleted = 1 WHERE persistence_id = $id AND sequence_number <= $to;
            DELETE FROM journal WHERE persistence_id = $id AND sequence_number <= $to
              AND sequence_number < (SELECT MAX(sequence_number) FROM journal WHERE persistence_id = $id AND deleted = 1);
            """;
        command.Parameters.AddWithValue("$id", persistenceId);
        command.Parameters.AddWithValue("$to", toSequenceNr);
        command.ExecuteNonQuery();
    }

    private sealed record Row(
        string PersistenceId, long SequenceNr, byte[] Message, string Tags, string Manifest, int Identifier, string? WriterUuid, long Created);
}

/// <summary>
/// Published on the agent's event stream after events were committed to its journal: the journal forwarder reads them at
/// once (its poll is only the backstop).
/// </summary>
public sealed class TaskEventsJournaled : INoSerializationVerificationNeeded
{
    public static TaskEventsJournaled Instance { get; } = new();

    private TaskEventsJournaled()
    {
    }
}
