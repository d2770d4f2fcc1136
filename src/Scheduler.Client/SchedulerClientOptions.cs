using Scheduler.Core.Security;

namespace Scheduler.Client;

/// <summary>How a <see cref="SchedulerClient"/> reaches the Master.</summary>
public sealed record SchedulerClientOptions
{
    /// <summary>The port a master listens on unless told otherwise.</summary>
    public const int DefaultMasterPort = 4053;

    /// <summary>The contact point used when none is given.</summary>
    public const string DefaultContactPoint = "127.0.0.1:4053";

    public SchedulerClientOptions(IReadOnlyList<string> contactPoints)
    {
        ContactPoints = contactPoints;
    }

    /// <summary><c>HOST:PORT</c> of one or more masters; any of them can answer.</summary>
    public IReadOnlyList<string> ContactPoints { get; init; }

    /// <summary>How long one request may wait for its answer before <see cref="MasterUnreachableException"/>.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The host name the client's own ActorSystem binds and is answered at. The Master sends replies back to
    /// this address, so when the masters run on other machines it must be an address they can reach.
    /// </summary>
    public string Hostname { get; init; } = "127.0.0.1";

    /// <summary>
    /// Akka's log level for the client's ActorSystem (<c>OFF</c>, <c>ERROR</c>, <c>WARNING</c>, <c>INFO</c>,
    /// <c>DEBUG</c>). Log lines go to <see cref="LogWriter"/>, never to standard output.
    /// </summary>
    public string LogLevel { get; init; } = "WARNING";

    /// <summary>Where Akka's log lines go; standard error when null.</summary>
    public TextWriter? LogWriter { get; init; }

    /// <summary>
    /// Mutual TLS to masters that run it (<c>scheduler.tls</c>): the cluster CA and this client's certificate, e.g.
    /// <c>TlsSettings.Create(config)</c> or <c>new TlsSettings(true, "certs/ca.crt", "certs/client.pfx", null)</c>.
    /// Off by default; a plain client cannot talk to a TLS master, nor a TLS client to a plain one.
    /// </summary>
    public TlsSettings Tls { get; init; } = TlsSettings.Disabled;
}
