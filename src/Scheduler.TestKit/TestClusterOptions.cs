namespace Scheduler.TestKit;

/// <summary>An agent of a <see cref="TestCluster"/>: its name, the labels jobs select it by, and settings of its own.</summary>
public sealed record TestAgent(string Name, IReadOnlyList<string>? Labels = null, string Hocon = "")
{
    public static implicit operator TestAgent(string name) => new(name);

    internal string Settings => (Labels is { Count: > 0 } labels
        ? $"scheduler.agent.labels = [{string.Join(", ", labels.Select(l => $"\"{l}\""))}]\n"
        : "") + Hocon;
}

/// <summary>What a <see cref="TestCluster"/> consists of. The defaults: one master on a SQLite file, no agents, links that can be cut.</summary>
public sealed class TestClusterOptions
{
    /// <summary>How many masters form the cluster; more than one needs <see cref="PostgreSql"/> (the HA journal).</summary>
    public int Masters { get; init; } = 1;

    /// <summary>The agents started with the cluster; each is Connected when <see cref="TestCluster.StartAsync(TestClusterOptions)"/> returns.</summary>
    public IReadOnlyList<TestAgent> Agents { get; init; } = [];

    /// <summary>
    /// Runs Akka's throttler transport adapter on every node, so <see cref="TestCluster.PartitionAsync"/> and
    /// <see cref="TestCluster.PartitionMasterAsync"/> can cut links. Off, a single master restarted on its port is
    /// found again more reliably (see <see cref="TestHocon"/>), so turn it off for restart-only scenarios.
    /// </summary>
    public bool Partitionable { get; init; } = true;

    /// <summary>A PostgreSQL server for the masters' journal and history (a fresh database of it per cluster); null: a SQLite file.</summary>
    public PostgresServer? PostgreSql { get; init; }

    /// <summary>Settings over every master's test settings (HOCON), e.g. <c>scheduler.master.lost-after = 10s</c> or jobs.</summary>
    public string MasterHocon { get; init; } = "";

    /// <summary>Settings over every agent's test settings (HOCON), e.g. <c>scheduler.agent.reconnect-window = 3s</c>.</summary>
    public string AgentHocon { get; init; } = "";

    internal void Validate()
    {
        if (Masters < 1)
        {
            throw new ArgumentException($"a cluster needs at least one master, not {Masters}", nameof(Masters));
        }

        if (Masters > 1 && PostgreSql is null)
        {
            throw new ArgumentException($"{Masters} masters share one journal, which must be PostgreSQL: set {nameof(PostgreSql)} (e.g. from a {nameof(PostgreSqlFixture)})", nameof(PostgreSql));
        }

        if (Agents.Select(a => a.Name).GroupBy(n => n).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ArgumentException($"agent name '{twice.Key}' is given twice", nameof(Agents));
        }
    }
}
