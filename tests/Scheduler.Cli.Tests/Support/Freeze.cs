using System.Diagnostics;

namespace Scheduler.Cli.Tests.Support;

/// <summary>A process stopped with SIGSTOP since <see cref="Elapsed"/>; disposing continues it with SIGCONT (once).</summary>
public sealed class Freeze(int pid) : IDisposable
{
    private readonly Stopwatch _since = Stopwatch.StartNew();
    private int _thawed;

    public TimeSpan Elapsed => _since.Elapsed;

    /// <summary>Keeps the process stopped until <paramref name="duration"/> has passed since the freeze, then continues it.</summary>
    public async Task ThawAfterAsync(TimeSpan duration)
    {
        if (duration > Elapsed)
        {
            await Task.Delay(duration - Elapsed);
        }

        Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _thawed, 1) == 0)
        {
            ProcFs.Continue(pid);
        }
    }
}
