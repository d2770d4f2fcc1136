using Scheduler.Contracts.Tasks;

namespace Scheduler.Core.Tests;

internal static class Fixtures
{
    public static readonly DateTimeOffset T0 = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static TaskSpec Spec(string id = "t-1", params string[] command) => new(
        id,
        command.Length == 0 ? ["sh", "-c", "echo hi"] : command,
        "/work",
        new Dictionary<string, string> { ["A"] = "1" },
        TimeSpan.FromSeconds(30));
}
