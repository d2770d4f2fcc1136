namespace Scheduler.Samples.Integrator;

/// <summary>The sample's command line: <c>[--master HOST:PORT]… [--agent NAME] [--count N] [--offset-file PATH]</c>.</summary>
internal sealed record SampleOptions(IReadOnlyList<string> Masters, string Agent, int Count, string OffsetFile, TimeSpan Patience)
{
    public const string Usage =
        "usage: scheduler-integrator-sample [--master HOST:PORT]... [--agent NAME] [--count N] [--offset-file PATH]\n" +
        "  --master       a master to contact (repeatable; default 127.0.0.1:4053)\n" +
        "  --agent        the agent to run the tasks on (default: local, the agent of `scheduler standalone`)\n" +
        "  --count        how many tasks to submit (default 3; the last one fails on purpose)\n" +
        "  --offset-file  where the offset of the last event processed is kept (default ./feed-offset)";

    public static bool TryParse(string[] args, out SampleOptions options, out string error)
    {
        var masters = new List<string>();
        var agent = "local";
        var count = 3;
        var offsetFile = "feed-offset";
        options = null!;
        error = "";
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--master" when value is not null: masters.Add(value); i++; break;
                case "--agent" when value is not null: agent = value; i++; break;
                case "--count" when int.TryParse(value, out var n) && n > 0: count = n; i++; break;
                case "--offset-file" when value is not null: offsetFile = value; i++; break;
                default:
                    error = $"'{args[i]}' is not an option of this sample, or its value is missing or invalid";
                    return false;
            }
        }

        options = new SampleOptions(masters.Count > 0 ? masters : ["127.0.0.1:4053"], agent, count, offsetFile, TimeSpan.FromMinutes(2));
        return true;
    }
}
