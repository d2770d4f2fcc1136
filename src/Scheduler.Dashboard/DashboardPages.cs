using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Scheduler.Dashboard;

/// <summary>The pages: static HTML and a small script embedded in the assembly, polling the <c>/api/</c>.</summary>
public static class DashboardPages
{
    private const string Prefix = "Scheduler.Dashboard.Pages.";

    private static readonly Dictionary<string, (byte[] Content, string Type)> Files = Load();

    public static void Map(WebApplication app)
    {
        app.MapGet("/", () => Serve("agents.html"));
        app.MapGet("/{file}", (string file) => Serve(file));
    }

    private static IResult Serve(string file) =>
        Files.TryGetValue(file, out var f) ? Results.Bytes(f.Content, f.Type) : Results.NotFound();

    private static Dictionary<string, (byte[], string)> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var files = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var file = name[Prefix.Length..];
            files[file] = (copy.ToArray(), Path.GetExtension(file) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                _ => "application/octet-stream",
            });
        }

        return files;
    }
}
