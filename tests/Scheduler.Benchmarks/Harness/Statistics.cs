namespace Scheduler.Benchmarks.Harness;

/// <summary>The summary figures benchmarks report over their samples.</summary>
public static class Statistics
{
    /// <summary>The nearest-rank percentile: the smallest sample that at least <paramref name="p"/> of the samples do not exceed.</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>The middle sample, or the mean of the two middle ones for an even count.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
