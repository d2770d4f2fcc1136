using Akka.Configuration;
using Scheduler.Core.Configuration;

namespace Scheduler.Core.Security;

/// <summary>
/// <c>scheduler.tls</c>: whether Akka.Remote runs mutual TLS, and the files for it. Read the same way by masters,
/// agents and clients. Paths are made absolute (relative ones are relative to the working directory).
/// </summary>
/// <param name="Enabled">Mutual TLS on every link.</param>
/// <param name="CaCertificate">The cluster CA's certificate file (PEM or DER), the only trust anchor.</param>
/// <param name="Certificate">This node's PKCS#12 file: its certificate and private key.</param>
/// <param name="Password">The PKCS#12 file's password; null when it has none.</param>
public sealed record TlsSettings(bool Enabled, string CaCertificate, string Certificate, string? Password)
{
    public static Config DefaultConfig { get; } = ReferenceConfig.Load(typeof(TlsSettings).Assembly, "Scheduler.Core.Security.reference.conf");

    /// <summary>Plain TCP.</summary>
    public static TlsSettings Disabled { get; } = new(false, "", "", null);

    /// <summary>
    /// Whether this side checks its own certificate when it loads it (expired, or not issued by the CA: a start-up
    /// error). Only tests turn it off, to play a peer that presents such a certificate.
    /// </summary>
    public bool CheckOwnCertificate { get; init; } = true;

    /// <summary>Where these settings came from (a file, variables), for error messages.</summary>
    public string Origin { get; init; } = "client TLS settings";

    /// <summary>Reads and validates <c>scheduler.tls</c>; throws <see cref="SettingsException"/> naming the key.</summary>
    public static TlsSettings Create(Config config, string origin = "configuration")
    {
        var r = new HoconReader(config.WithFallback(DefaultConfig), origin);
        if (!r.Bool("scheduler.tls.enabled"))
        {
            return Disabled;
        }

        var ca = r.String("scheduler.tls.ca-certificate");
        var certificate = r.String("scheduler.tls.certificate");
        var password = r.String("scheduler.tls.password", allowEmpty: true);
        var passwordFile = r.String("scheduler.tls.password-file", allowEmpty: true);
        if (password.Length > 0 && passwordFile.Length > 0)
        {
            throw new SettingsException($"{origin}: scheduler.tls.password and scheduler.tls.password-file are both set; set one of them");
        }

        if (passwordFile.Length > 0)
        {
            password = File.Exists(passwordFile)
                ? File.ReadAllText(passwordFile).TrimEnd('\r', '\n')
                : throw new SettingsException($"{origin}: scheduler.tls.password-file '{passwordFile}' not found");
        }

        return new TlsSettings(true, Path.GetFullPath(ca), Path.GetFullPath(certificate), password.Length > 0 ? password : null) { Origin = origin };
    }
}
