using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Npgsql;

namespace Scheduler.TestKit;

/// <summary>
/// A real PostgreSQL server of this test's own: initdb in a temp folder, a free loopback port, trust
/// authentication for user <c>scheduler</c>. It runs in its own session (setsid), so the whole server — postmaster
/// and backends — can be frozen with SIGSTOP like a hung machine, stopped like a crashed database and started again
/// on the same port. As root (CI) it runs as the <c>postgres</c> user, which PostgreSQL requires.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const int SigInt = 2;
    private const int SigKill = 9;
    private const int SigCont = 18;
    private const int SigStop = 19;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _root;
    private Process? _process;

    private PostgresServer(string root, int port)
    {
        _root = root;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Where the PostgreSQL binaries are: the newest /usr/lib/postgresql/*/bin (CI installs the package if missing).</summary>
    public static string BinDir { get; } = Directory.Exists("/usr/lib/postgresql")
        ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "postgres")))
            .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
            .FirstOrDefault() ?? ""
        : "";

    private string DataDir => Path.Combine(_root, "data");

    public static async Task<PostgresServer> StartAsync()
    {
        if (BinDir == "")
        {
            throw new InvalidOperationException("PostgreSQL is not installed (/usr/lib/postgresql/*/bin/postgres); .ci/run installs it with apt-get");
        }

        var root = Path.Combine(Path.GetTempPath(), "scheduler-pg", Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(root);
        var server = new PostgresServer(root, LoopbackPorts.Free());
        try
        {
            server.HandOverToPostgresUser(root);
            await server.RunToEndAsync("initdb", "-D", server.DataDir, "-U", "scheduler", "--auth=trust", "-E", "UTF8", "--no-sync");
            await server.StartAgainAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>An Npgsql connection string to <paramref name="database"/> on this server.</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=scheduler;Database={database};Pooling=true";

    /// <summary>Creates an empty database with a fresh name and answers its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>Starts the server (again) on its port and waits until it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        _process = Start("postgres", "-D", DataDir, "-p", Port.ToString(), "-h", "127.0.0.1", "-k", _root,
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200");
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false;Timeout=2");
                await connection.OpenAsync();
                return;
            }
            catch (Exception e) when (e is NpgsqlException or SocketException && DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>A database outage: fast shutdown (every connection is cut, new ones are refused) and wait until it is gone.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        Kill(process.Id, SigCont);
        Kill(process.Id, SigInt);
        using var timeout = new CancellationTokenSource(Patience);
        await process.WaitForExitAsync(timeout.Token);
        // Pools are left as they are: the Master in this process must cope with connections the restart broke.
    }

    /// <summary>A hung server: the postmaster and every backend stop (SIGSTOP); connections stay open but nothing answers.</summary>
    public void Freeze() => KillGroup(SigStop);

    public void Thaw() => KillGroup(SigCont);

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            KillGroup(SigKill);
            await process.WaitForExitAsync();
        }

        NpgsqlConnection.ClearAllPools();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A backend may still be writing while it dies; the temp folder is left for the OS to clean.
        }
    }

    private void KillGroup(int signal)
    {
        if (_process is { HasExited: false } process)
        {
            Kill(-process.Id, signal); // setsid made the postmaster the leader of its own group
        }
    }

    private async Task RunToEndAsync(string program, params string[] args)
    {
        using var process = Start(program, args);
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({process.ExitCode}); see {_root}/postgres.log");
        }
    }

    /// <summary>Runs a PostgreSQL program in a session of its own, as <c>postgres</c> when this process is root; output goes to postgres.log.</summary>
    private Process Start(string program, params string[] args)
    {
        var info = new ProcessStartInfo("setsid") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Environment.UserName == "root")
        {
            foreach (var a in new[] { "setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups" })
            {
                info.ArgumentList.Add(a);
            }
        }

        info.ArgumentList.Add(Path.Combine(BinDir, program));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info)!;
        var log = Path.Combine(_root, "postgres.log");
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Append(string log, string? line)
    {
        if (line is not null)
        {
            lock (typeof(PostgresServer))
            {
                File.AppendAllText(log, line + "\n");
            }
        }
    }

    private void HandOverToPostgresUser(string root)
    {
        if (Environment.UserName == "root")
        {
            using var chown = Process.Start("chown", ["postgres", root])!;
            chown.WaitForExit();
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
