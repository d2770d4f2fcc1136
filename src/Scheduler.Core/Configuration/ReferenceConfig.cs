using System.Reflection;
using Akka.Configuration;

namespace Scheduler.Core.Configuration;

/// <summary>Loads a library's embedded, commented reference.conf (its defaults).</summary>
public static class ReferenceConfig
{
    public static Config Load(Assembly assembly, string resourceName)
    {
        using var stream = assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"{resourceName} is not embedded in {assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
