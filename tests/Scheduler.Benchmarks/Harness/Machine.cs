using System.Globalization;

namespace Scheduler.Benchmarks.Harness;

/// <summary>The machine a result was measured on, and the repository the results belong to.</summary>
public static class Machine
{
    public static string Describe()
    {
        var bytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        var gb = bytes / (1024.0 * 1024 * 1024);
        return $"{Environment.ProcessorCount} cores, {gb.ToString("0.#", CultureInfo.InvariantCulture)} GB";
    }

    /// <summary>The folder holding Scheduler.sln: above this program's binaries, else above the working directory.</summary>
    public static string RepositoryRoot() =>
        FindUp(AppContext.BaseDirectory) ?? FindUp(Directory.GetCurrentDirectory())
        ?? throw new InvalidOperationException("Scheduler.sln not found above the program or the working directory");

    private static string? FindUp(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Scheduler.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
