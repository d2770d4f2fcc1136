using Akka.Configuration;
using Scheduler.Core.Configuration;

namespace Scheduler.Hosting;

/// <summary>Loads the operator's HOCON file and lays the command-line options over it.</summary>
public static class NodeConfig
{
    /// <summary>The user's file (or nothing), with command-line values on top. Throws ConfigurationException naming the file.</summary>
    public static (Config Config, string Origin) Load(NodeOptions options, Config overrides)
    {
        var origin = options.ConfigFile ?? "defaults";
        var file = ConfigurationFactory.Empty;
        if (options.ConfigFile is { } path)
        {
            if (!File.Exists(path))
            {
                throw new ConfigurationException($"config file '{path}' not found");
            }

            var text = File.ReadAllText(path);
            if (HoconCheck.Problem(text) is { } problem)
            {
                throw new ConfigurationException($"config file '{path}' is not valid HOCON: {problem}");
            }

            file = ConfigurationFactory.ParseString(text);
            if (SchedulerKeys.Problem(file) is { } unknown)
            {
                throw new ConfigurationException($"config file '{path}': {unknown}");
            }
        }

        return (overrides.WithFallback(file), origin);
    }

    /// <summary>Runs a settings reader and turns its SettingsException into a ConfigurationException.</summary>
    public static T Read<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (SettingsException e)
        {
            throw new ConfigurationException(e.Message, e);
        }
    }

    /// <summary>HOCON for one key = one string value, quoted safely.</summary>
    public static Config Set(string key, string value) =>
        ConfigurationFactory.ParseString($"{key} = \"{Escape(value)}\"");

    public static Config SetList(string key, IEnumerable<string> values) =>
        ConfigurationFactory.ParseString($"{key} = [{string.Join(", ", values.Select(v => $"\"{Escape(v)}\""))}]");

    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"");
}
