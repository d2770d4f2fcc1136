using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace Scheduler.Core.Security;

/// <summary>
/// A cluster's own certificate authority and the certificates it issues to masters, agents and clients, made with
/// .NET's cryptography (ECDSA P-256, SHA-256) so a secure setup needs no other tool. Node certificates serve both
/// ends of a TLS link (server and client authentication), since every Akka.Remote node accepts and opens connections.
/// </summary>
public static partial class ClusterCertificates
{
    public const string CaCertificateFile = "ca.crt";
    public const string CaKeyFile = "ca.pfx";

    /// <summary>How long a CA made by <c>certs init</c> is valid.</summary>
    public static readonly TimeSpan CaValidity = TimeSpan.FromDays(3650);

    /// <summary>Start validity a little in the past, for hosts whose clocks are slightly behind.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private static readonly UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly UnixFileMode PublicFile = PrivateFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private static readonly UnixFileMode PrivateFolder = PrivateFile | UnixFileMode.UserExecute;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")]
    private static partial Regex ValidName();

    /// <summary>Null when <paramref name="name"/> can name a certificate (and its file), else why not.</summary>
    public static string? NameProblem(string name) =>
        ValidName().IsMatch(name) ? null : $"certificate name '{name}' must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit";

    /// <summary>A self-signed CA that may sign node certificates (not other CAs), with its private key.</summary>
    public static X509Certificate2 CreateAuthority(DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
        var request = new CertificateRequest($"CN=Scheduler cluster CA {id}, O=Scheduler", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(notBefore, notAfter);
    }

    /// <summary>
    /// A certificate for <paramref name="name"/> signed by <paramref name="authority"/> (which must hold its private
    /// key), with its own private key. Its validity ends no later than the CA's.
    /// </summary>
    public static X509Certificate2 Issue(X509Certificate2 authority, string name, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        if (NameProblem(name) is { } problem)
        {
            throw new ArgumentException(problem, nameof(name));
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=Scheduler", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication"), new Oid("1.3.6.1.5.5.7.3.2", "Client Authentication")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        var end = notAfter < authority.NotAfter ? notAfter : new DateTimeOffset(authority.NotAfter);
        var start = notBefore > authority.NotBefore ? notBefore : new DateTimeOffset(authority.NotBefore);
        using var certificate = request.Create(authority, start, end, serial);
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// <c>scheduler certs init</c>: a new CA in <paramref name="folder"/> (ca.crt, and ca.pfx with its key) and one
    /// certificate per name. Refuses a folder that already holds a CA. Returns the files written.
    /// </summary>
    public static IReadOnlyList<string> Init(string folder, IReadOnlyList<string> names, TimeSpan validity, DateTimeOffset now)
    {
        CheckNames(names);
        var caKey = Path.Combine(folder, CaKeyFile);
        if (File.Exists(caKey))
        {
            throw new InvalidOperationException($"'{caKey}' exists: this folder already has a CA; issue more certificates with `scheduler certs issue {folder} NAME`");
        }

        CreateFolder(folder);
        using var authority = CreateAuthority(now - ClockSkew, now + CaValidity);
        var written = new List<string>
        {
            Write(Path.Combine(folder, CaCertificateFile), System.Text.Encoding.ASCII.GetBytes(authority.ExportCertificatePem() + "\n"), PublicFile),
            Write(caKey, authority.Export(X509ContentType.Pkcs12), PrivateFile),
        };
        written.AddRange(names.Select(name => IssueFile(authority, folder, name, validity, now)));
        return written;
    }

    /// <summary>
    /// <c>scheduler certs issue</c>: one more certificate from the CA in <paramref name="folder"/> (its ca.pfx).
    /// An existing file of that name is replaced only when <paramref name="replace"/> (rotation).
    /// </summary>
    public static string Issue(string folder, string name, TimeSpan validity, DateTimeOffset now, bool replace)
    {
        CheckNames([name]);
        var caKey = Path.Combine(folder, CaKeyFile);
        if (!File.Exists(caKey))
        {
            throw new InvalidOperationException($"'{caKey}' not found: create the CA first with `scheduler certs init {folder}`");
        }

        var target = CertificatePath(folder, name);
        if (File.Exists(target) && !replace)
        {
            throw new InvalidOperationException($"'{target}' exists; pass --force to replace it (e.g. to renew it)");
        }

        using var authority = LoadPkcs12(caKey, password: null);
        return IssueFile(authority, folder, name, validity, now);
    }

    public static string CertificatePath(string folder, string name) => Path.Combine(folder, name + ".pfx");

    /// <summary>A certificate file in PEM or DER form (the public part only).</summary>
    public static X509Certificate2 LoadCertificate(string path) => X509CertificateLoader.LoadCertificateFromFile(path);

    /// <summary>A PKCS#12 file with its private key.</summary>
    public static X509Certificate2 LoadPkcs12(string path, string? password) =>
        X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);

    private static string IssueFile(X509Certificate2 authority, string folder, string name, TimeSpan validity, DateTimeOffset now)
    {
        using var certificate = Issue(authority, name, now - ClockSkew, now + validity);
        return Write(CertificatePath(folder, name), certificate.Export(X509ContentType.Pkcs12), PrivateFile);
    }

    private static void CheckNames(IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            if (NameProblem(name) is { } problem)
            {
                throw new ArgumentException(problem, nameof(names));
            }
        }

        if (names.Contains("ca", StringComparer.OrdinalIgnoreCase))
        {
            throw new ArgumentException("'ca' names the CA's own files; choose another certificate name", nameof(names));
        }
    }

    private static void CreateFolder(string folder)
    {
        if (Directory.Exists(folder))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, PrivateFolder);
        }
    }

    /// <summary>Writes a new file (or replaces one) that is created with <paramref name="mode"/>, never wider.</summary>
    private static string Write(string path, byte[] content, UnixFileMode mode)
    {
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(content);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, mode);
        }

        File.Move(temporary, path, overwrite: true);
        return path;
    }
}
