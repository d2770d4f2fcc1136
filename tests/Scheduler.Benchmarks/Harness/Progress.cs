namespace Scheduler.Benchmarks.Harness;

/// <summary>
/// A long phase of a benchmark (filling a million history rows, journaling a backlog, thousands of submits) says how
/// far it got every few seconds, on standard error so the figures on standard output stay as they are.
/// </summary>
public sealed class Progress : IDisposable
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);
    private readonly Timer _timer;
    private long _done;

    public Progress(string phase, long total)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        _timer = new Timer(_ =>
        {
            var done = Interlocked.Read(ref _done);
            Console.Error.WriteLine($"  {phase}: {done:N0} of {total:N0} ({100.0 * done / Math.Max(total, 1):0} %) after {clock.Elapsed.TotalSeconds:0} s");
        }, null, Every, Every);
    }

    public void Advance(long count = 1) => Interlocked.Add(ref _done, count);

    public void Dispose() => _timer.Dispose();
}
