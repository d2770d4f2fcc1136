using System.Globalization;
using Akka.Actor;
using Scheduler.Contracts;

namespace Scheduler.Client;

/// <summary><c>HOST:PORT</c> contact points of masters.</summary>
public static class ContactPoints
{
    /// <summary>Null when <paramref name="contact"/> is a valid <c>HOST:PORT</c>, else the reason it is not.</summary>
    public static string? Problem(string contact)
    {
        var colon = contact.LastIndexOf(':');
        if (colon <= 0 || colon == contact.Length - 1)
        {
            return $"'{contact}' is not HOST:PORT";
        }

        var port = contact[(colon + 1)..];
        return int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is > 0 and <= 65535
            ? null
            : $"'{contact}' has no valid port (1-65535)";
    }

    /// <summary>
    /// The ClusterClient receptionist path of the master at <paramref name="contact"/>; <paramref name="protocol"/> is
    /// <c>akka.tcp</c>, or <c>akka.ssl.tcp</c> for a master with TLS on.
    /// </summary>
    public static ActorPath ReceptionistPath(string contact, string protocol = "akka.tcp")
    {
        var problem = Problem(contact);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(contact));
        }

        return ActorPath.Parse($"{protocol}://{SchedulerPaths.SystemName}@{contact}/system/receptionist");
    }
}
