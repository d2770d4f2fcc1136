using System.Globalization;

namespace Scheduler.Benchmarks.Harness;

/// <summary>A goal for a figure: at least or at most <see cref="Value"/>.</summary>
public sealed record Target(double Value, bool HigherIsBetter)
{
    public static Target AtLeast(double value) => new(value, true);

    public static Target AtMost(double value) => new(value, false);

    public bool IsMetBy(double figure) => HigherIsBetter ? figure >= Value : figure <= Value;

    public override string ToString() => $"{(HigherIsBetter ? ">=" : "<=")} {Value.ToString("N0", CultureInfo.InvariantCulture)}";
}

/// <summary>
/// What a benchmark measured; <see cref="Detail"/> says how in a few words ("100000 events in 1.83 s = 54,600 events/s").
/// <see cref="Baseline"/> is measured in the same run on the same machine (machines are shared and noisy);
/// <see cref="Ratio"/> = figure / baseline is what compares across runs.
/// </summary>
public sealed record BenchmarkResult(
    string Name,
    double Value,
    string Unit,
    double Baseline,
    string BaselineUnit,
    string BaselineWhat,
    Target Target,
    string Detail)
{
    public double Ratio => Baseline > 0 ? Value / Baseline : 0;

    public bool Met => Target.IsMetBy(Value);

    public string Summary =>
        $"{Name}: {Detail}; baseline {BaselineWhat} {Format(Baseline)} {BaselineUnit}; ratio {FormatRatio(Ratio)}; " +
        $"target {Target} {Unit}: {(Met ? "met" : "NOT met")}";

    /// <summary>Three significant digits, however small (0.000721, 0.13, 1.08).</summary>
    public static string FormatRatio(double ratio) => ratio.ToString("G3", CultureInfo.InvariantCulture);

    public static string Format(double value) =>
        value.ToString(value >= 100 ? "N0" : "0.###", CultureInfo.InvariantCulture);
}
