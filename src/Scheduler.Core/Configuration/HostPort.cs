using System.Globalization;

namespace Scheduler.Core.Configuration;

/// <summary>A <c>HOST:PORT</c> contact point.</summary>
public readonly record struct HostPort(string Host, int Port)
{
    public static bool TryParse(string text, out HostPort value)
    {
        value = default;
        var colon = text.LastIndexOf(':');
        if (colon <= 0
            || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
        {
            return false;
        }

        value = new HostPort(text[..colon], port);
        return true;
    }

    /// <summary>
    /// The ClusterClient contact of a master: its receptionist. <paramref name="protocol"/> is the caller's own
    /// transport protocol (tests run the throttler adapter, whose addresses are <c>akka.trttl.tcp</c>).
    /// </summary>
    public string ReceptionistPath(string systemName, string protocol = "akka.tcp") => $"{protocol}://{systemName}@{Host}:{Port}/system/receptionist";

    public override string ToString() => $"{Host}:{Port}";
}
