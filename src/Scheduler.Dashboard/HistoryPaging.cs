using Scheduler.Client;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Dashboard;

/// <summary>
/// Where a history page ends: the tasks submitted before <paramref name="Until"/> (exclusive), newest first, after
/// skipping the first <paramref name="Skip"/> of them (tasks submitted in the same millisecond as the last one shown).
/// </summary>
public sealed record HistoryCursor(DateTimeOffset? Until, int Skip)
{
    /// <summary>
    /// The cursor after <paramref name="task"/> was shown: the millisecond after its own (the history table keeps
    /// milliseconds), skipping the tasks of that millisecond shown so far.
    /// </summary>
    public HistoryCursor After(TaskView task)
    {
        var boundary = DateTimeOffset.FromUnixTimeMilliseconds(task.SubmittedAt.ToUnixTimeMilliseconds() + 1);
        return Until == boundary ? this with { Skip = Skip + 1 } : new HistoryCursor(boundary, 1);
    }
}

/// <summary>
/// A page of the history for the dashboard: the Master's history query (the CLI's) page after page, newest first,
/// filtered by state here (the query has no state filter), until <c>limit</c> tasks match or the history ends.
/// </summary>
public static class HistoryPaging
{
    /// <summary>At most this many queries for one page (a rare state in a long history ends the page early).</summary>
    public const int MaxQueries = 20;

    public sealed record Filter(string? Agent, string? TaskId, string? JobId, IReadOnlySet<TaskState>? States, DateTimeOffset? Since);

    /// <returns>The page, and the cursor of the next one (null: the history ends here).</returns>
    public static async Task<(IReadOnlyList<TaskView> Tasks, HistoryCursor? Next)> PageAsync(
        SchedulerClient client, Filter filter, HistoryCursor cursor, int limit, CancellationToken cancellationToken)
    {
        var page = new List<TaskView>();
        for (var query = 0; query < MaxQueries && page.Count < limit; query++)
        {
            var asked = limit + cursor.Skip;
            var result = await client.GetHistoryAsync(filter.Agent, filter.TaskId, asked, filter.Since, cursor.Until, filter.JobId, cancellationToken)
                .ConfigureAwait(false);
            var fresh = result.Tasks.Skip(cursor.Skip).ToList();
            foreach (var task in fresh)
            {
                cursor = cursor.After(task);
                if (filter.States is null || filter.States.Contains(task.State))
                {
                    page.Add(task);
                    if (page.Count == limit)
                    {
                        break;
                    }
                }
            }

            if (result.Tasks.Count + result.Omitted < asked)
            {
                return (page, page.Count == limit && !ReferenceEquals(page[^1], fresh[^1]) ? cursor : null);
            }
        }

        return (page, cursor);
    }
}
