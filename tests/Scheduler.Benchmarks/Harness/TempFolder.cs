namespace Scheduler.Benchmarks.Harness;

/// <summary>A benchmark's own folder under the temp folder, deleted afterwards.</summary>
public static class TempFolder
{
    public static string For(string benchmark) =>
        Path.Combine(Path.GetTempPath(), "scheduler-benchmarks", benchmark + "-" + Guid.NewGuid().ToString("N")[..8]);

    public static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean; it is under the temp folder.
        }
    }
}
