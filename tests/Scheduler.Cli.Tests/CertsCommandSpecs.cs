using Scheduler.Core.Security;
using Xunit;

namespace Scheduler.Cli.Tests;

/// <summary><c>scheduler certs init</c> and <c>issue</c>: the files, what they print, and what they refuse.</summary>
public sealed class CertsCommandSpecs : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "scheduler-certs-cli", Guid.NewGuid().ToString("N")[..10]);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string[] Out, string Error)> RunAsync(params string[] args)
    {
        var console = new TestConsole();
        var exitCode = await SchedulerCli.RunAsync(args, console.Console);
        return (exitCode, console.Out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), console.Error.ToString());
    }

    [Fact]
    public async Task Init_then_issue_should_write_certificates_of_one_CA()
    {
        var init = await RunAsync("certs", "init", _dir, "--nodes", "master-1,agent-1", "--days", "10");
        var issue = await RunAsync("certs", "issue", _dir, "client");

        Assert.Equal((0, ""), (init.ExitCode, init.Error));
        Assert.Equal(
            ["ca.crt", "ca.pfx", "master-1.pfx", "agent-1.pfx"],
            init.Out.Where(l => l.StartsWith("wrote ", StringComparison.Ordinal)).Select(l => Path.GetFileName(l.Split("  ")[0][6..])));
        Assert.StartsWith("next: copy ca.crt and one NAME.pfx to each host", init.Out[^1]);
        Assert.Equal((0, $"wrote {Path.Combine(_dir, "client.pfx")}  (certificate and private key, mode 0600: for that node or client only)"),
            (issue.ExitCode, Assert.Single(issue.Out)));
        using var master = TransportSecurity.Load(new TlsSettings(true, Path.Combine(_dir, "ca.crt"), Path.Combine(_dir, "master-1.pfx"), null), "test");
        using var client = ClusterCertificates.LoadPkcs12(Path.Combine(_dir, "client.pfx"), null);
        Assert.Null(master.Problem(client));
        Assert.InRange(master.Certificate.NotAfter.ToUniversalTime(), DateTime.UtcNow.AddDays(9), DateTime.UtcNow.AddDays(11));
    }

    [Fact]
    public async Task Init_on_an_existing_CA_and_a_bad_name_should_fail_with_one_line()
    {
        await RunAsync("certs", "init", _dir, "--nodes", "a");

        var again = await RunAsync("certs", "init", _dir);
        var badName = await RunAsync("certs", "issue", _dir, "../etc");
        var exists = await RunAsync("certs", "issue", _dir, "a");
        var noCa = await RunAsync("certs", "issue", Path.Combine(_dir, "none"), "b");

        Assert.Equal(1, again.ExitCode);
        Assert.Equal($"error: '{Path.Combine(_dir, "ca.pfx")}' exists: this folder already has a CA; issue more certificates with `scheduler certs issue {_dir} NAME`\n", again.Error);
        Assert.Equal(2, badName.ExitCode);
        Assert.Equal("error: certificate name '../etc' must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit\n", badName.Error);
        Assert.Equal((1, $"error: '{Path.Combine(_dir, "a.pfx")}' exists; pass --force to replace it (e.g. to renew it)\n"), (exists.ExitCode, exists.Error));
        Assert.Equal(1, noCa.ExitCode);
        Assert.Contains("create the CA first with `scheduler certs init", noCa.Error);
    }
}
