using Akka.Configuration;
using Npgsql;

namespace Scheduler.Hosting.Persistence;

/// <summary>
/// Akka.Persistence.Sql on PostgreSQL (the production journal of a Master, and the shared one of a cluster of
/// masters). Tables are created on first use.
/// </summary>
public static class PostgresJournal
{
    public const string ProviderName = "PostgreSQL.15";

    /// <summary>Seconds to open a connection unless the operator set <c>Timeout</c> (Npgsql: 15 s).</summary>
    public const int DefaultConnectTimeoutSeconds = 5;

    /// <summary>Seconds a command may take unless the operator set <c>Command Timeout</c> (Npgsql: 30 s).</summary>
    public const int DefaultCommandTimeoutSeconds = 10;

    /// <summary>
    /// The operator's connection string with <c>Timeout</c> and <c>Command Timeout</c> set when it sets none:
    /// with Npgsql's defaults a hung server blocked a write for ~40 s (DESIGN.md). Throws FormatException naming the keyword.
    /// </summary>
    public static string ConnectionString(string configured)
    {
        var builder = new NpgsqlConnectionStringBuilder(configured);
        if (!Sets(configured, "Timeout"))
        {
            builder.Timeout = DefaultConnectTimeoutSeconds;
        }

        if (!Sets(configured, "Command Timeout", "CommandTimeout"))
        {
            builder.CommandTimeout = DefaultCommandTimeoutSeconds;
        }

        return builder.ConnectionString;
    }

    /// <summary>The longest a single database call can take before the driver gives up (connect + command).</summary>
    public static TimeSpan CallLimit(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return TimeSpan.FromSeconds(builder.Timeout + builder.CommandTimeout + 2);
    }

    public static Config Hocon(string connectionString, TimeSpan refreshInterval) =>
        SqlPersistenceHocon.For(ProviderName, connectionString, refreshInterval);

    private static bool Sets(string connectionString, params string[] keywords) =>
        connectionString.Split(';')
            .Select(part => part.Split('=', 2)[0].Trim())
            .Any(key => keywords.Any(k => string.Equals(key, k, StringComparison.OrdinalIgnoreCase)));
}
