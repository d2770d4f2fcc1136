using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using Scheduler.Core.Configuration;
using Scheduler.Core.Security;

namespace Scheduler.Core.Tests.Security;

/// <summary><c>scheduler certs</c>' files, and the peer check every TLS handshake runs.</summary>
public sealed class ClusterCertificatesSpecs : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "scheduler-certs-specs", Guid.NewGuid().ToString("N")[..10]);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private TransportSecurity Load(string name, string? caFolder = null) => TransportSecurity.Load(
        new TlsSettings(true, Path.Combine(caFolder ?? _dir, ClusterCertificates.CaCertificateFile), ClusterCertificates.CertificatePath(_dir, name), null),
        "test.conf");

    [Fact]
    public void Init_should_write_a_CA_and_node_certificates_that_pass_the_peer_check()
    {
        var written = ClusterCertificates.Init(_dir, ["master-1", "agent-1"], TimeSpan.FromDays(30), DateTimeOffset.UtcNow);

        Assert.Equal(["ca.crt", "ca.pfx", "master-1.pfx", "agent-1.pfx"], written.Select(Path.GetFileName));
        using var master = Load("master-1");
        using var agent = Load("agent-1");
        Assert.Null(master.Problem(agent.Certificate));
        Assert.Null(agent.Problem(master.Certificate));
        Assert.Equal("CN=agent-1, O=Scheduler", agent.Certificate.Subject);
        Assert.True(agent.Certificate.HasPrivateKey);
        Assert.InRange(agent.Certificate.NotAfter.ToUniversalTime(), DateTime.UtcNow.AddDays(29), DateTime.UtcNow.AddDays(31));
        var eku = Assert.Single(agent.Certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>());
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], eku.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Keys_should_be_readable_by_their_owner_only()
    {
        ClusterCertificates.Init(_dir, ["agent-1"], TimeSpan.FromDays(30), DateTimeOffset.UtcNow);

        var ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(ownerOnly, File.GetUnixFileMode(Path.Combine(_dir, "ca.pfx")));
        Assert.Equal(ownerOnly, File.GetUnixFileMode(Path.Combine(_dir, "agent-1.pfx")));
        Assert.Equal(ownerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(Path.Combine(_dir, "ca.crt")));
        Assert.Equal(ownerOnly | UnixFileMode.UserExecute, File.GetUnixFileMode(_dir));
    }

    [Fact]
    public void Issue_should_use_the_same_CA_later_and_refuse_to_overwrite_without_replace()
    {
        ClusterCertificates.Init(_dir, ["master-1"], TimeSpan.FromDays(30), DateTimeOffset.UtcNow);

        ClusterCertificates.Issue(_dir, "agent-7", TimeSpan.FromDays(30), DateTimeOffset.UtcNow, replace: false);
        var again = Assert.Throws<InvalidOperationException>(() =>
            ClusterCertificates.Issue(_dir, "agent-7", TimeSpan.FromDays(30), DateTimeOffset.UtcNow, replace: false));
        ClusterCertificates.Issue(_dir, "agent-7", TimeSpan.FromDays(60), DateTimeOffset.UtcNow, replace: true);

        using var master = Load("master-1");
        using var agent = Load("agent-7");
        Assert.Null(master.Problem(agent.Certificate));
        Assert.InRange(agent.Certificate.NotAfter.ToUniversalTime(), DateTime.UtcNow.AddDays(59), DateTime.UtcNow.AddDays(61));
        Assert.Contains("pass --force", again.Message);
    }

    [Fact]
    public void Init_should_refuse_a_folder_that_has_a_CA()
    {
        ClusterCertificates.Init(_dir, [], TimeSpan.FromDays(30), DateTimeOffset.UtcNow);
        var before = File.ReadAllBytes(Path.Combine(_dir, "ca.pfx"));

        var error = Assert.Throws<InvalidOperationException>(() => ClusterCertificates.Init(_dir, ["x"], TimeSpan.FromDays(30), DateTimeOffset.UtcNow));

        Assert.Contains("already has a CA", error.Message);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(_dir, "ca.pfx")));
    }

    [Fact]
    public void A_certificate_of_another_CA_should_fail_the_peer_check()
    {
        ClusterCertificates.Init(_dir, ["master-1"], TimeSpan.FromDays(30), DateTimeOffset.UtcNow);
        using var other = ClusterCertificates.CreateAuthority(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var foreign = ClusterCertificates.Issue(other, "agent-1", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var master = Load("master-1");

        Assert.Equal($"is not issued by this cluster's CA (issuer: {other.Subject})", master.Problem(foreign));
        Assert.StartsWith("is not issued by this cluster's CA", master.Problem(other));
    }

    [Fact]
    public void An_expired_certificate_should_fail_the_peer_check_and_the_own_check_at_start()
    {
        ClusterCertificates.Init(_dir, ["master-1"], TimeSpan.FromDays(30), DateTimeOffset.UtcNow.AddDays(-100));
        var expiredPath = ClusterCertificates.CertificatePath(_dir, "master-1");
        using var master = TransportSecurity.Load(
            new TlsSettings(true, Path.Combine(_dir, "ca.crt"), expiredPath, null) { CheckOwnCertificate = false }, "test.conf");

        var problem = master.Problem(master.Certificate);
        var error = Assert.Throws<SettingsException>(() => Load("master-1"));

        Assert.Equal($"expired on {master.Certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z", problem);
        Assert.Equal($"test.conf: scheduler.tls.certificate '{expiredPath}' {problem}; issue a new one with `scheduler certs issue`", error.Message);
    }

    [Fact]
    public void Settings_should_be_off_by_default_and_name_the_key_of_a_missing_file()
    {
        Assert.Equal(TlsSettings.Disabled, TlsSettings.Create(ConfigurationFactory.Empty));
        var missing = Path.Combine(_dir, "nope.crt");
        var settings = TlsSettings.Create(ConfigurationFactory.ParseString(
            $"scheduler.tls {{ enabled = on, ca-certificate = \"{missing}\", certificate = \"{Path.Combine(_dir, "a.pfx")}\" }}"), "node.conf");

        var error = Assert.Throws<SettingsException>(() => TransportSecurity.Load(settings, "node.conf"));
        var empty = Assert.Throws<SettingsException>(() => TlsSettings.Create(ConfigurationFactory.ParseString("scheduler.tls.enabled = on"), "node.conf"));

        Assert.Equal($"node.conf: scheduler.tls.ca-certificate '{missing}' not found", error.Message);
        Assert.Equal("node.conf: scheduler.tls.ca-certificate =  is invalid; expected a non-empty string", empty.Message);
    }

    [Fact]
    public void Plaintext_warning_should_name_a_non_loopback_bind_address_only()
    {
        static string? Warning(string hocon) => TransportSecurity.PlaintextWarning(ConfigurationFactory.ParseString(hocon));

        Assert.Null(Warning("akka.remote.dot-netty.tcp.hostname = 127.0.0.1"));
        Assert.Null(Warning("akka.remote.dot-netty.tcp.hostname = localhost"));
        Assert.Null(Warning("akka.remote.dot-netty.tcp { hostname = 0.0.0.0, enable-ssl = on }"));
        Assert.StartsWith("remoting listens on 0.0.0.0 without TLS", Warning("akka.remote.dot-netty.tcp.hostname = 0.0.0.0"));
        Assert.StartsWith("remoting listens on all interfaces without TLS", Warning("akka.remote.dot-netty.tcp.hostname = \"\""));
    }
}
