using System.Data.Common;
using System.Text.Json;
using Scheduler.Contracts.Serialization;
using Scheduler.Core.Scheduling;

namespace Scheduler.Master.History;

/// <summary>
/// The history read model: settled tasks (final by their agent's word, whole log copied) in one table of the
/// Master's own database, indexed by task id, by sequence (newest first), by agent and by submission time, so a
/// query at a million entries reads a few index pages instead of scanning the history. Rows never change once
/// written (a settled task is final), so writing one again does nothing. Plain ADO.NET SQL that SQLite and
/// PostgreSQL both speak; the table is created on first use.
/// </summary>
public sealed class TaskHistoryStore(Func<DbConnection> connect)
{
    public const string Table = "scheduler_task_history";

    /// <summary>At most this many rows per query (the answer must fit Akka.Remote's frame anyway).</summary>
    public const int MaxRows = 10_000;

    private static readonly JsonSerializerOptions Json = SchedulerSerializer.CreateOptions();
    private readonly SemaphoreSlim _schema = new(1, 1);
    private bool _created;

    /// <summary>Writes settled entries in one transaction; entries already there are left as they are.</summary>
    public async Task SaveAsync(IReadOnlyList<TaskEntry> entries, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            INSERT INTO {Table} (task_id, sequence, agent, submitted_at, entry) VALUES (@id, @sequence, @agent, @submitted, @entry)
            ON CONFLICT (task_id) DO NOTHING
            """;
        var id = Parameter(command, "id");
        var sequence = Parameter(command, "sequence");
        var agent = Parameter(command, "agent");
        var submitted = Parameter(command, "submitted");
        var entry = Parameter(command, "entry");
        foreach (var e in entries)
        {
            (id.Value, sequence.Value, agent.Value, submitted.Value, entry.Value) =
                (e.Spec.TaskId, e.Sequence, e.Agent, e.SubmittedAt.ToUnixTimeMilliseconds(), JsonSerializer.Serialize(e, Json));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<TaskEntry?> FindAsync(string taskId, CancellationToken cancellationToken = default)
    {
        var found = await QueryAsync($"SELECT entry FROM {Table} WHERE task_id = @id", c => Parameter(c, "id").Value = taskId, cancellationToken)
            .ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <summary>The newest <paramref name="limit"/> entries matching, newest first; times filter on submission.</summary>
    public Task<IReadOnlyList<TaskEntry>> NewestAsync(HistoryFilter filter, int limit, CancellationToken cancellationToken = default)
    {
        var where = new List<string>();
        if (filter.Agent is not null)
        {
            where.Add("agent = @agent");
        }

        if (filter.Since is not null)
        {
            where.Add("submitted_at >= @since");
        }

        if (filter.Until is not null)
        {
            where.Add("submitted_at < @until");
        }

        // A job's runs are the tasks JOB.N; the entry says whether a task was a run (a task submitted by hand under
        // such an id is not), so rows are filtered again once read. The prefix needs no index of its own yet.
        if (filter.JobId is not null)
        {
            where.Add(@"task_id LIKE @job ESCAPE '\'");
        }

        var sql = $"SELECT entry FROM {Table}{(where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where))} ORDER BY sequence DESC LIMIT @limit";
        return QueryAsync(sql, c =>
        {
            if (filter.Agent is { } a)
            {
                Parameter(c, "agent").Value = a;
            }

            if (filter.Since is { } since)
            {
                Parameter(c, "since").Value = since.ToUnixTimeMilliseconds();
            }

            if (filter.Until is { } until)
            {
                Parameter(c, "until").Value = until.ToUnixTimeMilliseconds();
            }

            if (filter.JobId is { } job)
            {
                Parameter(c, "job").Value = job.Replace("_", @"\_", StringComparison.Ordinal) + ".%";
            }

            Parameter(c, "limit").Value = Math.Clamp(limit, 1, MaxRows);
        }, filter.JobId is null ? null : filter.Matches, cancellationToken);
    }

    /// <summary>Which of <paramref name="taskIds"/> are in the history as tasks of <paramref name="agent"/>.</summary>
    public async Task<IReadOnlyList<string>> ExistingAsync(string agent, IReadOnlyList<string> taskIds, CancellationToken cancellationToken = default)
    {
        var found = new List<string>();
        foreach (var chunk in taskIds.Chunk(500))
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT task_id FROM {Table} WHERE agent = @agent AND task_id IN ({string.Join(", ", chunk.Select((_, i) => "@t" + i))})";
            Parameter(command, "agent").Value = agent;
            for (var i = 0; i < chunk.Length; i++)
            {
                Parameter(command, "t" + i).Value = chunk[i];
            }

            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                found.Add(reader.GetString(0));
            }
        }

        return found;
    }

    private async Task<IReadOnlyList<TaskEntry>> QueryAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken) =>
        await QueryAsync(sql, bind, keep: null, cancellationToken).ConfigureAwait(false);

    private async Task<IReadOnlyList<TaskEntry>> QueryAsync(string sql, Action<DbCommand> bind, Func<TaskEntry, bool>? keep, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);
        var entries = new List<TaskEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var entry = JsonSerializer.Deserialize<TaskEntry>(reader.GetString(0), Json)!;
            if (keep is null || keep(entry))
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = connect();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await EnsureTableAsync(connection, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task EnsureTableAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _created))
        {
            return;
        }

        await _schema.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_created)
            {
                return;
            }

            await using var command = connection.CreateCommand();
            command.CommandText = $"""
                CREATE TABLE IF NOT EXISTS {Table} (
                  task_id TEXT NOT NULL PRIMARY KEY,
                  sequence BIGINT NOT NULL,
                  agent TEXT NOT NULL,
                  submitted_at BIGINT NOT NULL,
                  entry TEXT NOT NULL);
                CREATE INDEX IF NOT EXISTS {Table}_sequence ON {Table} (sequence);
                CREATE INDEX IF NOT EXISTS {Table}_agent_sequence ON {Table} (agent, sequence);
                CREATE INDEX IF NOT EXISTS {Table}_submitted_at ON {Table} (submitted_at);
                """;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _created, true);
        }
        finally
        {
            _schema.Release();
        }
    }

    private static DbParameter Parameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }
}

/// <summary>Which history entries a query wants: of one agent, submitted in [Since, Until).</summary>
public sealed record HistoryFilter(string? Agent = null, DateTimeOffset? Since = null, DateTimeOffset? Until = null, string? JobId = null)
{
    public bool Matches(TaskEntry t) =>
        (Agent is null || t.Agent == Agent) && (Since is null || t.SubmittedAt >= Since) && (Until is null || t.SubmittedAt < Until)
        && (JobId is null || t.JobId == JobId);
}
