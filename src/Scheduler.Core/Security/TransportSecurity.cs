using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;
using Scheduler.Core.Configuration;

namespace Scheduler.Core.Security;

/// <summary>
/// Mutual TLS for one ActorSystem: its certificate, the cluster CA, and the check every peer's certificate must
/// pass — it chains to that CA alone (a custom trust anchor: the operating system's store plays no part) and is
/// within its validity period. Both ends present a certificate: a master refuses an agent or client without one,
/// and an agent or client refuses a master without one.
/// </summary>
/// <remarks>
/// Akka.NET 1.5.73 (DotNettyTransport.SetServerPipeline / SetClientPipeline) calls the
/// <see cref="DotNettySslSetup"/>'s custom validator for both directions instead of its own chain check
/// (CertificateValidation.ValidateChain, which judges by the SslStream's policy errors, i.e. the OS trust store).
/// </remarks>
public sealed class TransportSecurity : IDisposable
{
    /// <summary>The Akka address protocol of a TLS node (<c>akka.ssl.tcp://system@host:port</c>).</summary>
    public const string TlsProtocol = "akka.ssl.tcp";

    /// <summary>The Akka address protocol of a plain TCP node.</summary>
    public const string PlainProtocol = "akka.tcp";

    private TransportSecurity(X509Certificate2 authority, X509Certificate2 certificate)
    {
        Authority = authority;
        Certificate = certificate;
    }

    /// <summary>The cluster CA (public part): the only trust anchor.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>This node's certificate with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>
    /// What the ActorSystem's HOCON needs besides the <see cref="Setup"/>: TLS on, mutual authentication required.
    /// Host names are not checked (nodes are reached by IP address as often as by name); the CA is what counts.
    /// </summary>
    public static Config Hocon { get; } = ConfigurationFactory.ParseString("""
        akka.remote.dot-netty.tcp {
          enable-ssl = on
          ssl {
            suppress-validation = off
            require-mutual-authentication = on
            validate-certificate-hostname = off
          }
        }
        """);

    /// <summary>The address protocol of a node with these settings.</summary>
    public static string Protocol(TlsSettings settings) => settings.Enabled ? TlsProtocol : PlainProtocol;

    /// <summary>
    /// Loads the CA and this node's certificate of <paramref name="settings"/> (which must be enabled). Any problem —
    /// a missing file, a wrong password, no private key, or (unless <see cref="TlsSettings.CheckOwnCertificate"/> is
    /// off) an own certificate that is expired or not issued by the CA — is a <see cref="SettingsException"/> naming
    /// the key and the file.
    /// </summary>
    public static TransportSecurity Load(TlsSettings settings, string origin)
    {
        if (!settings.Enabled)
        {
            throw new ArgumentException("TLS is not enabled in these settings", nameof(settings));
        }

        var authority = Read(origin, "scheduler.tls.ca-certificate", settings.CaCertificate, ClusterCertificates.LoadCertificate);
        X509Certificate2? certificate = null;
        try
        {
            certificate = Read(origin, "scheduler.tls.certificate", settings.Certificate, path => ClusterCertificates.LoadPkcs12(path, settings.Password));
            if (!certificate.HasPrivateKey)
            {
                throw new SettingsException($"{origin}: scheduler.tls.certificate '{settings.Certificate}' holds no private key; use the .pfx file `scheduler certs` wrote");
            }

            var security = new TransportSecurity(authority, certificate);
            if (settings.CheckOwnCertificate && security.Problem(certificate) is { } problem)
            {
                throw new SettingsException($"{origin}: scheduler.tls.certificate '{settings.Certificate}' {problem}; issue a new one with `scheduler certs issue`");
            }

            return security;
        }
        catch
        {
            certificate?.Dispose();
            authority.Dispose();
            throw;
        }
    }

    /// <summary>The ActorSystem setup that gives Akka.Remote this node's certificate and the peer check.</summary>
    public DotNettySslSetup Setup() => new(
        Certificate,
        suppressValidation: false,
        requireMutualAuthentication: true,
        validateCertificateHostname: false,
        customValidator: Validate);

    /// <summary>Null when <paramref name="peer"/> chains to the cluster CA and is valid now; else the reason it is not.</summary>
    public string? Problem(X509Certificate2 peer)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = DateTime.Now;
        var built = chain.Build(peer);
        var anchor = chain.ChainElements.Count > 0 ? chain.ChainElements[^1].Certificate : null;
        if (built && anchor is not null && anchor.RawDataMemory.Span.SequenceEqual(Authority.RawDataMemory.Span))
        {
            return null;
        }

        var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
        var untrusted = X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain | X509ChainStatusFlags.NotSignatureValid;
        if ((flags & untrusted) != 0 || (built && anchor is not null))
        {
            return $"is not issued by this cluster's CA (issuer: {peer.Issuer})";
        }

        var now = DateTime.Now;
        if (peer.NotAfter < now)
        {
            return $"expired on {peer.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z";
        }

        if (peer.NotBefore > now)
        {
            return $"is not valid before {peer.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z";
        }

        return string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).DefaultIfEmpty("is not valid"));
    }

    /// <summary>
    /// The peer check Akka.Remote calls in every TLS handshake, on both ends. The runtime's own verdict
    /// (<paramref name="errors"/>, based on the OS trust store and host names) is not used: <see cref="Problem"/> is.
    /// </summary>
    private bool Validate(X509Certificate2? certificate, X509Chain? chain, string remotePeer, SslPolicyErrors errors, ILoggingAdapter log)
    {
        if (certificate is null)
        {
            log.Warning("TLS: refused {0}: it presented no certificate", remotePeer);
            return false;
        }

        var problem = Problem(certificate);
        if (problem is not null)
        {
            log.Warning("TLS: refused {0}: its certificate '{1}' {2}", remotePeer, certificate.Subject, problem);
        }

        return problem is null;
    }

    /// <summary>
    /// The one warning line for a node whose remoting listens beyond the loopback interface without TLS; null when
    /// TLS is on or it listens on loopback only. <paramref name="effective"/> is the ActorSystem's configuration.
    /// </summary>
    public static string? PlaintextWarning(Config effective)
    {
        if (effective.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl", false))
        {
            return null;
        }

        var host = effective.GetString("akka.remote.dot-netty.tcp.hostname", "") ?? "";
        if (IsLoopback(host))
        {
            return null;
        }

        var shown = host.Length == 0 ? "all interfaces" : host;
        return $"remoting listens on {shown} without TLS: anyone who reaches the port can join, register an agent or run "
            + "commands on the agents. Turn on scheduler.tls (files from `scheduler certs init DIR`; operator guide, Security), "
            + "or bind to 127.0.0.1";
    }

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    private static X509Certificate2 Read(string origin, string key, string path, Func<string, X509Certificate2> load)
    {
        if (!File.Exists(path))
        {
            throw new SettingsException($"{origin}: {key} '{path}' not found");
        }

        try
        {
            return load(path);
        }
        catch (CryptographicException e)
        {
            throw new SettingsException($"{origin}: {key} '{path}' cannot be read (wrong password, or not a certificate file?): {e.Message}");
        }
    }

    public void Dispose()
    {
        Certificate.Dispose();
        Authority.Dispose();
    }
}
