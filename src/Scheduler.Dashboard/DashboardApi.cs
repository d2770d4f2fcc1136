using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Scheduler.Client;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Serialization;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Dashboard;

/// <summary>
/// The JSON API under <c>/api/</c>: the CLI's requests and answers, in the JSON of the CLI's <c>--json</c> (the wire
/// format's camelCase names and enum names). A failed request answers <c>{"code","message"}</c> with 404 (no such
/// task), 400 (bad request), 503 (master or database unavailable) or 409 (any other refusal).
/// </summary>
public static class DashboardApi
{
    public const int DefaultHistoryLimit = 50;
    public const int MaxHistoryLimit = 1000;

    /// <summary>
    /// The header every POST must carry (any value). A page of another site can make a browser POST a form here, but
    /// cannot add a header without a CORS preflight, which this server never grants: so no other site can pause the
    /// Master through an operator's browser. The dashboard's own script sends it.
    /// </summary>
    public const string ActionHeader = "X-Scheduler-Action";

    /// <summary>The header naming the query of the next history page (absent on the last page).</summary>
    public const string NextPageHeader = "X-Next-Page";

    private static readonly JsonSerializerOptions Json = SchedulerSerializer.CreateOptions();

    public static void Map(WebApplication app, SchedulerClient client)
    {
        app.MapGet("/api/agents", (CancellationToken ct) => Answer(() => client.GetAgentsAsync(ct)));
        app.MapGet("/api/tasks", (string? agent, CancellationToken ct) =>
            Answer(async () => (await client.GetTasksAsync(agent, ct).ConfigureAwait(false)).Tasks));
        app.MapGet("/api/task/{id}", (string id, CancellationToken ct) => Answer(() => client.GetTaskAsync(id, ct)));
        app.MapGet("/api/task/{id}/log", (string id, long? offset, CancellationToken ct) =>
            Answer(() => client.GetTaskLogPageAsync(id, Math.Max(0, offset ?? 0), ct)));
        app.MapGet("/api/status", (CancellationToken ct) => Answer(() => client.GetStatusAsync(ct)));
        app.MapPost("/api/pause", (HttpContext http, CancellationToken ct) => Act(http, () => client.PauseAsync(ct)));
        app.MapPost("/api/resume", (HttpContext http, CancellationToken ct) => Act(http, () => client.ResumeAsync(ct)));
        app.MapGet("/api/history", (HttpContext http, CancellationToken ct) => History(http, client, ct));
    }

    /// <summary>
    /// <c>/api/history?agent=&amp;task=&amp;job=&amp;state=Failed,Killed&amp;since=&amp;until=&amp;limit=</c>: newest first, the
    /// CLI's <c>history --json</c> array; the next page's query is in the <see cref="NextPageHeader"/> header.
    /// </summary>
    private static async Task<IResult> History(HttpContext http, SchedulerClient client, CancellationToken ct)
    {
        var query = http.Request.Query;
        string? Text(string name) => query[name].FirstOrDefault() is { Length: > 0 } value ? value : null;
        HashSet<TaskState>? states = null;
        if (Text("state") is { } stateText)
        {
            states = [];
            foreach (var name in stateText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!Enum.TryParse<TaskState>(name, ignoreCase: true, out var state))
                {
                    return Failed(ErrorCode.InvalidRequest, $"state '{name}': expected one of {string.Join(", ", Enum.GetNames<TaskState>())}");
                }

                states.Add(state);
            }
        }

        if (!TryTime(Text("since"), out var since) || !TryTime(Text("until"), out var until))
        {
            return Failed(ErrorCode.InvalidRequest, "since and until: an ISO 8601 time, e.g. 2026-11-29T10:00:00Z");
        }

        var limit = int.TryParse(Text("limit"), CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, MaxHistoryLimit) : DefaultHistoryLimit;
        var skip = int.TryParse(Text("skip"), CultureInfo.InvariantCulture, out var s) ? Math.Max(0, s) : 0;
        var filter = new HistoryPaging.Filter(Text("agent"), Text("task"), Text("job"), states, since);
        return await Answer(async () =>
        {
            var (tasks, next) = await HistoryPaging.PageAsync(client, filter, new HistoryCursor(until, skip), limit, ct).ConfigureAwait(false);
            if (next is { Until: { } nextUntil })
            {
                var rest = query.Where(q => q.Key is not ("until" or "skip")).Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}");
                var nextQuery = string.Join("&", rest.Append($"until={Uri.EscapeDataString(nextUntil.ToString("O", CultureInfo.InvariantCulture))}").Append($"skip={next.Skip}"));
                http.Response.Headers[NextPageHeader] = "/api/history?" + nextQuery;
            }

            return tasks;
        }).ConfigureAwait(false);
    }

    private static bool TryTime(string? text, out DateTimeOffset? time)
    {
        time = null;
        if (text is null)
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            time = parsed;
            return true;
        }

        return false;
    }

    private static async Task<IResult> Answer<T>(Func<Task<T>> request)
    {
        try
        {
            return Results.Json(await request().ConfigureAwait(false), Json);
        }
        catch (SchedulerException e)
        {
            return Failed(e.Code, e.Message);
        }
    }

    private static Task<IResult> Act<T>(HttpContext http, Func<Task<T>> act) =>
        http.Request.Headers.ContainsKey(ActionHeader)
            ? Answer(act)
            : Task.FromResult(Results.Json(new { code = ErrorCode.InvalidRequest.ToString(), message = $"a POST needs the {ActionHeader} header (the dashboard's page sends it)" },
                Json, statusCode: StatusCodes.Status403Forbidden));

    private static IResult Failed(ErrorCode code, string message) => Results.Json(new { code = code.ToString(), message }, Json, statusCode: code switch
    {
        ErrorCode.NotFound => StatusCodes.Status404NotFound,
        ErrorCode.InvalidRequest => StatusCodes.Status400BadRequest,
        ErrorCode.Unavailable or ErrorCode.DatabaseUnavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status409Conflict,
    });
}
