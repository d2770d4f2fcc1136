using System.CommandLine;
using Scheduler.Core.Security;

namespace Scheduler.Cli.Commands;

/// <summary>
/// <c>scheduler certs init DIR</c> and <c>scheduler certs issue DIR NAME</c>: the cluster's CA and the certificates of
/// its masters, agents and clients, for <c>scheduler.tls</c> (no other tool needed).
/// </summary>
public static class CertsCommands
{
    public const int DefaultDays = 365;

    public static Command Create(CliConsole console)
    {
        var command = new Command("certs", "Create the cluster's certificate authority and certificates for mutual TLS (scheduler.tls)");
        command.Subcommands.Add(Init(console));
        command.Subcommands.Add(Issue(console));
        return command;
    }

    private static Command Init(CliConsole console)
    {
        var folder = FolderArgument();
        var nodes = new Option<string>("--nodes")
        {
            Description = "Comma-separated names to issue certificates for, one per master, agent and client",
            HelpName = "NAME,…",
            DefaultValueFactory = _ => "master,agent,client",
        };
        var days = DaysOption();
        var command = new Command("init", "Create a CA in DIR (ca.crt, ca.pfx) and one certificate per name (NAME.pfx)") { folder, nodes, days };
        command.SetAction(parse =>
        {
            var names = (parse.GetValue(nodes) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var dir = parse.GetRequiredValue(folder);
            var written = Run(() => ClusterCertificates.Init(dir, names, Validity(parse.GetValue(days)), DateTimeOffset.UtcNow));
            foreach (var path in written)
            {
                console.Out.WriteLine($"wrote {path}  ({Describe(path)})");
            }

            console.Out.WriteLine($"next: copy ca.crt and one NAME.pfx to each host, set scheduler.tls there (hocon/tls/), keep ca.pfx offline; more with `scheduler certs issue {dir} NAME`");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Issue(CliConsole console)
    {
        var folder = FolderArgument();
        var name = new Argument<string>("NAME") { Description = "The master's, agent's or client's name; the file is DIR/NAME.pfx" };
        var days = DaysOption();
        var force = new Option<bool>("--force") { Description = "Replace an existing DIR/NAME.pfx (renewal)" };
        var command = new Command("issue", "Issue one more certificate from the CA in DIR (its ca.pfx)") { folder, name, days, force };
        command.SetAction(parse =>
        {
            var path = Run(() => ClusterCertificates.Issue(
                parse.GetRequiredValue(folder), parse.GetRequiredValue(name), Validity(parse.GetValue(days)), DateTimeOffset.UtcNow, parse.GetValue(force)));
            console.Out.WriteLine($"wrote {path}  ({Describe(path)})");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Argument<string> FolderArgument() => new("DIR") { Description = "The folder of the CA and certificates (created with mode 0700)" };

    private static Option<int> DaysOption()
    {
        var option = new Option<int>("--days")
        {
            Description = $"How many days the certificates are valid (default {DefaultDays}; the CA: 10 years)",
            HelpName = "N",
            DefaultValueFactory = _ => DefaultDays,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 3650)
            {
                result.AddError("--days: expected a whole number from 1 to 3650");
            }
        });
        return option;
    }

    private static TimeSpan Validity(int days) => TimeSpan.FromDays(days);

    private static string Describe(string path) => Path.GetFileName(path) switch
    {
        ClusterCertificates.CaCertificateFile => "the CA certificate, public: every node and client needs it",
        ClusterCertificates.CaKeyFile => "the CA with its private key, mode 0600: keep it offline, it issues certificates",
        _ => "certificate and private key, mode 0600: for that node or client only",
    };

    /// <summary>A bad name is a usage error (exit 2); an existing CA or file, or a missing CA, fails the command (exit 1).</summary>
    private static T Run<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message.Split(" (Parameter", 2)[0]);
        }
    }
}
