namespace Scheduler.Cli.Tests.Support;

/// <summary>
/// Bounded polling: read until a condition holds, or fail naming what was awaited and the last value seen. A read that
/// throws counts as "not yet" (a command may fail while a node is still coming back); the last error is reported.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        await ValueAsync(condition, ok => ok, what, timeout);

    /// <summary>Reads until <paramref name="done"/> holds for the value read and returns that value.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + limit;
        T last = default!;
        Exception? error = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await read();
                error = null;
                if (done(last))
                {
                    return last;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error = e;
            }

            await Task.Delay(Interval);
        }

        throw new TimeoutException($"{what} not reached in {limit.TotalSeconds:0.#} s; last: {(error is null ? last : error.Message)}", error);
    }
}
