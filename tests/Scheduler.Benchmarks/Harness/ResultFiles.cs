using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Scheduler.Benchmarks.Harness;

/// <summary>
/// docs/benchmarks.md (for people) and docs/benchmarks.json (for scripts checking the targets): one row,
/// one object per benchmark name, replaced when the benchmark runs again.
/// </summary>
public sealed class ResultFiles(string repositoryRoot)
{
    private const string TableHeader = "| benchmark | figure | unit | baseline | ratio | target | met | run | machine | date |";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public string MarkdownPath { get; } = Path.Combine(repositoryRoot, "docs", "benchmarks.md");

    public string JsonPath { get; } = Path.Combine(repositoryRoot, "docs", "benchmarks.json");

    public void Record(BenchmarkResult result, string machine, DateOnly date)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(MarkdownPath)!);
        WriteJson(result);
        WriteMarkdown(result, machine, date);
    }

    private void WriteJson(BenchmarkResult r)
    {
        var rows = File.Exists(JsonPath) ? JsonNode.Parse(File.ReadAllText(JsonPath))!.AsArray() : [];
        var kept = rows.OfType<JsonObject>().Where(o => (string?)o["name"] != r.Name).Select(o => o.DeepClone()).ToList();
        kept.Add(new JsonObject
        {
            ["name"] = r.Name,
            ["value"] = Math.Round(r.Value, 1),
            ["unit"] = r.Unit,
            ["baseline"] = Math.Round(r.Baseline, 1),
            ["ratio"] = double.Parse(BenchmarkResult.FormatRatio(r.Ratio), CultureInfo.InvariantCulture),
            ["target"] = r.Target.Value,
            ["met"] = r.Met,
        });
        var array = new JsonArray(kept.OrderBy(o => (string?)o!["name"], StringComparer.Ordinal).ToArray());
        WriteAtomically(JsonPath, array.ToJsonString(Indented) + "\n");
    }

    private void WriteMarkdown(BenchmarkResult r, string machine, DateOnly date)
    {
        var rows = ExistingRows().Where(row => row.Name != r.Name).ToList();
        var line = "| " + string.Join(" | ",
            r.Name,
            BenchmarkResult.Format(r.Value),
            r.Unit,
            $"{BenchmarkResult.Format(r.Baseline)} {r.BaselineUnit} ({r.BaselineWhat})",
            BenchmarkResult.FormatRatio(r.Ratio),
            $"{r.Target} {r.Unit}",
            r.Met ? "yes" : "**no**",
            r.Detail,
            machine,
            date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)) + " |";
        rows.Add((r.Name, line));

        var text = new StringBuilder()
            .AppendLine("# Benchmarks")
            .AppendLine()
            .AppendLine("Written by `dotnet run -c Release --project tests/Scheduler.Benchmarks -- NAME` (one row per benchmark,")
            .AppendLine("replaced when it runs again; the same figures for scripts are in [benchmarks.json](benchmarks.json)).")
            .AppendLine("Machines are shared and noisy: each baseline is measured in the same run on the same machine, and")
            .AppendLine("the ratio (figure / baseline) is what compares across runs.")
            .AppendLine()
            .AppendLine(TableHeader)
            .AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (_, row) in rows.OrderBy(x => x.Name, StringComparer.Ordinal))
        {
            text.AppendLine(row);
        }

        WriteAtomically(MarkdownPath, text.ToString());
    }

    /// <summary>The table rows below the header, keyed by their first cell.</summary>
    private IEnumerable<(string Name, string Line)> ExistingRows()
    {
        if (!File.Exists(MarkdownPath))
        {
            yield break;
        }

        var inTable = false;
        foreach (var line in File.ReadLines(MarkdownPath))
        {
            if (line == TableHeader)
            {
                inTable = true;
            }
            else if (inTable && line.StartsWith("| ", StringComparison.Ordinal))
            {
                yield return (line.Split('|')[1].Trim(), line);
            }
        }
    }

    private static void WriteAtomically(string path, string text)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
