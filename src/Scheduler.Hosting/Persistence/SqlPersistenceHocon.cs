using Akka.Configuration;
using Akka.Persistence.Sql;
using Scheduler.Core.Configuration;

namespace Scheduler.Hosting.Persistence;

/// <summary>Akka.Persistence.Sql's journal, snapshot store and query plugin on one database, for any provider.</summary>
public static class SqlPersistenceHocon
{
    public static Config For(string providerName, string connectionString, TimeSpan refreshInterval)
    {
        var cs = connectionString.Replace("\\", "\\\\").Replace("\"", "\\\"");
        var refresh = (int)refreshInterval.TotalMilliseconds;
        return ConfigurationFactory.ParseString($$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql {
                  connection-string = "{{cs}}"
                  provider-name = "{{providerName}}"
                  auto-initialize = on
                  # Tags in a column of the journal row. The default tag table made every by-tag read scan the whole
                  # tags table once per returned event (Akka.Persistence.Sql 1.5.73 on SQLite): replaying 100,000
                  # events took 15 minutes; with Csv about 10 seconds.
                  tag-write-mode = Csv
                }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql {
                  connection-string = "{{cs}}"
                  provider-name = "{{providerName}}"
                  auto-initialize = on
                }
              }
              query.journal.sql {
                connection-string = "{{cs}}"
                provider-name = "{{providerName}}"
                tag-read-mode = Csv
                refresh-interval = {{refresh}}ms
                journal-sequence-retrieval.query-delay = {{refresh}}ms
              }
            }
            """).WithFallback(SqlPersistence.DefaultConfiguration);
    }

    /// <summary>
    /// The journal's and snapshot store's circuit breakers reset within one retry interval. With Akka's defaults
    /// (snapshot store: open after 5 failures, reset after 60 s) a Master retrying its database every minute kept
    /// failing for up to another minute after the database was back (DESIGN.md); now the first retry after the
    /// database returns gets through. Calls time out after the database driver's own timeouts would have fired.
    /// </summary>
    public static Config Breakers(TimeSpan retryInterval, TimeSpan callTimeout)
    {
        var reset = TimeSpan.FromMilliseconds(Math.Clamp(retryInterval.TotalMilliseconds / 2, 50, 30_000));
        var breaker = $"circuit-breaker {{ call-timeout = {Durations.Format(callTimeout)}, reset-timeout = {(long)reset.TotalMilliseconds}ms }}";
        return ConfigurationFactory.ParseString($"""
            akka.persistence.journal.sql.{breaker}
            akka.persistence.snapshot-store.sql.{breaker}
            """);
    }
}
