namespace Scheduler.Hosting;

/// <summary>
/// What the command line says about a node; anything null falls back to the <c>--config</c> file, then
/// to the embedded defaults.
/// </summary>
/// <param name="ConfigFile">A HOCON file that may set any <c>scheduler.*</c> or <c>akka.*</c> key.</param>
/// <param name="DataDir">Where journals and task logs live (default <c>./data</c>).</param>
/// <param name="Host">The host name this node binds and is reached at.</param>
/// <param name="Port">The remoting port (master default 4053, agent default 0 = any free port).</param>
/// <param name="MasterContacts">For agents: <c>HOST:PORT</c> of masters to reach.</param>
/// <param name="AgentName">For agents: the name tasks are submitted to.</param>
/// <param name="Labels">For agents: labels to register with.</param>
/// <param name="Paused">For masters: start paused (<c>scheduler.master.start-paused = on</c>); null leaves it to the file.</param>
/// <param name="Seeds">For masters: <c>HOST:PORT</c> of the cluster's seed masters (<c>akka.cluster.seed-nodes</c>).</param>
/// <param name="Dashboard">For masters: <c>http://HOST:PORT</c> or <c>off</c> (<c>scheduler.master.dashboard.url</c>); null leaves it to the file.</param>
public sealed record NodeOptions(
    string? ConfigFile = null,
    string? DataDir = null,
    string? Host = null,
    int? Port = null,
    IReadOnlyList<string>? MasterContacts = null,
    string? AgentName = null,
    IReadOnlyList<string>? Labels = null,
    bool? Paused = null,
    IReadOnlyList<string>? Seeds = null,
    string? Dashboard = null);
