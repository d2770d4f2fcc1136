using Xunit;

namespace Scheduler.TestKit;

/// <summary>
/// One PostgreSQL server for the tests of a class (<c>IClassFixture&lt;PostgreSqlFixture&gt;</c>) or of a collection:
/// started once, each <see cref="TestCluster"/> gets a fresh database of it. Needs the PostgreSQL binaries in
/// /usr/lib/postgresql/*/bin (Debian's <c>postgresql</c> package); the server runs as this user, or as
/// <c>postgres</c> when the tests run as root.
/// </summary>
public sealed class PostgreSqlFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
