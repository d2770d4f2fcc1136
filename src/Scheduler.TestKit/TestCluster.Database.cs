namespace Scheduler.TestKit;

public sealed partial class TestCluster
{
    private readonly List<TcpProxy> _databasePaths = [];
    private string _databaseHocon = "";

    /// <summary>
    /// A fresh database on <paramref name="server"/>, reached by each master through a TCP proxy of its own, so the
    /// database can fail for one master while the others keep it (<see cref="CutDatabase"/>). Answers each master's journal settings.
    /// </summary>
    private async Task<Func<int, string>> OpenDatabasePathsAsync(PostgresServer server, int masters)
    {
        var connectionString = await server.CreateDatabaseAsync();
        _databasePaths.AddRange(Enumerable.Range(0, masters).Select(_ => TcpProxy.Start(server.Port)));
        return i => $$"""
            scheduler.master.journal {
              kind = postgresql
              connection-string = "{{connectionString.Replace($"Port={server.Port}", $"Port={_databasePaths[i].Port}")}}"
            }
            """;
    }

    /// <summary>
    /// The database goes away for master <paramref name="master"/> (every master when null): open connections are
    /// closed and new ones refused, as when its network path to the database fails. Needs the PostgreSQL journal.
    /// </summary>
    public void CutDatabase(int? master = null)
    {
        foreach (var path in DatabasePaths(master))
        {
            path.Cut();
        }
    }

    /// <summary>The database is reachable again for master <paramref name="master"/> (every master when null).</summary>
    public void RestoreDatabase(int? master = null)
    {
        foreach (var path in DatabasePaths(master))
        {
            path.Restore();
        }
    }

    private IEnumerable<TcpProxy> DatabasePaths(int? master)
    {
        if (_databasePaths.Count == 0)
        {
            throw new InvalidOperationException("the database can be cut only for a PostgreSQL journal (TestClusterOptions.PostgreSql): a SQLite file has no path to cut");
        }

        return master is { } index ? [_databasePaths[index]] : _databasePaths;
    }
}
