using Akka.Configuration;
using Scheduler.Agent;
using Scheduler.Core.Configuration;
using Scheduler.Master;

namespace Scheduler.Hosting.Tests;

/// <summary>The files operators copy (hocon/*.conf) are well-formed and their settings valid.</summary>
public sealed class ShippedConfigSpecs
{
    private static readonly string HoconFolder = Path.Combine(RepositoryRoot(), "hocon");

    public static TheoryData<string> Files() =>
        new(Directory.GetFiles(HoconFolder, "*.conf", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(HoconFolder, f)));

    [Theory]
    [MemberData(nameof(Files))]
    public void Shipped_file_should_be_well_formed_and_valid(string name)
    {
        var text = File.ReadAllText(Path.Combine(HoconFolder, name));
        Assert.Null(HoconCheck.Problem(text));

        var config = ConfigurationFactory.ParseString(text);
        var master = MasterSettings.Create(config, name);
        if (name.StartsWith("jobs", StringComparison.Ordinal))
        {
            Assert.NotEmpty(master.Jobs);
        }
        AgentSettings.Create(ConfigurationFactory.ParseString("scheduler.agent.name = a1").WithFallback(config), name);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Scheduler.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("Scheduler.sln not found above " + AppContext.BaseDirectory);
    }
}
