using Akka.Configuration;
using Scheduler.Contracts.Jobs;
using Scheduler.Core.Configuration;
using Scheduler.Core.Jobs;

namespace Scheduler.Core.Tests.Jobs;

public sealed class JobsConfigSpecs
{
    private static IReadOnlyList<JobSpec> Read(string hocon) => JobsConfig.Read(ConfigurationFactory.ParseString(hocon), "jobs.conf");

    private static string Error(string hocon) => Assert.Throws<SettingsException>(() => Read(hocon)).Message;

    [Fact]
    public void The_documented_form_should_define_a_job()
    {
        var job = Assert.Single(Read("""
            scheduler.jobs.hello {
              command = ["sh", "-c", "echo hi"]
              agent = local                 # or: labels = [linux]
              schedule = "*/2 * * * * *"    # cron with seconds
            }
            """));

        Assert.Equal("hello", job.JobId);
        Assert.Equal(["sh", "-c", "echo hi"], job.Command);
        Assert.Equal("local", job.Agent);
        Assert.Equal("*/2 * * * * *", job.Schedule.Cron);
        Assert.Equal((1, false, MisfirePolicy.FireOnce, (RetrySpec?)null), (job.MaxConcurrent, job.Restartable, job.Misfire, job.Retry));
    }

    [Fact]
    public void Every_setting_should_be_read()
    {
        var jobs = Read("""
            scheduler.jobs {
              backup {
                command = ["/usr/bin/backup", "--all"]
                working-directory = /var/backups
                environment { TARGET = s3, LEVEL = "9" }
                labels = [linux, big-disk]
                interval = 15m
                timeout = 1h
                kill-grace = 2s
                max-concurrent = 2
                restartable = on
                retry { count = 3, backoff = 30s }
                misfire = fire-all
              }
              "new.year" { command = [echo, hny], agent = a1, at = "2027-01-01T00:00:00Z" }
              manual { command = [echo, manual], agent = a1 }
            }
            """);

        var backup = jobs[0];
        Assert.Equal(("/var/backups", "s3", "9"), (backup.WorkingDirectory, backup.Environment["TARGET"], backup.Environment["LEVEL"]));
        Assert.Equal(["linux", "big-disk"], backup.Labels);
        Assert.Equal((TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), TimeSpan.FromSeconds(2)), (backup.Schedule.Interval, backup.Timeout, backup.KillGrace));
        Assert.Equal((2, true, MisfirePolicy.FireAll), (backup.MaxConcurrent, backup.Restartable, backup.Misfire));
        Assert.Equal(new RetrySpec(3, TimeSpan.FromSeconds(30)), backup.Retry);
        Assert.Equal(("new.year", new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero)), (jobs[1].JobId, jobs[1].Schedule.At));
        Assert.Equal(JobScheduleSpec.OnDemand, jobs[2].Schedule);
    }

    [Theory]
    [InlineData("""scheduler.jobs.hello { command = [echo], agent = a1, schedule = "* *" }""",
        "jobs.conf: scheduler.jobs.hello.schedule: '* *' is not a cron expression")]
    [InlineData("""scheduler.jobs.hello { command = [echo], agent = a1, interval = soon }""",
        "jobs.conf: scheduler.jobs.hello.interval = soon is invalid; expected a duration")]
    [InlineData("""scheduler.jobs.hello { command = [echo], agent = a1, at = tomorrow }""",
        "jobs.conf: scheduler.jobs.hello.at = tomorrow is invalid; expected a time such as")]
    [InlineData("""scheduler.jobs.hello { command = [echo], agent = a1, shedule = "* * * * *" }""",
        "jobs.conf: scheduler.jobs.hello.shedule is not a job setting; known: command,")]
    [InlineData("""scheduler.jobs.hello { command = [echo] }""",
        "jobs.conf: scheduler.jobs.hello: name an agent (agent = NAME) or labels")]
    [InlineData("""scheduler.jobs.hello { command = [echo], agent = a1, labels = [x] }""",
        "jobs.conf: scheduler.jobs.hello: give agent or labels, not both")]
    [InlineData("""scheduler.jobs.hello { command = [], agent = a1 }""",
        "jobs.conf: scheduler.jobs.hello.command is missing or empty; expected the command as a list")]
    [InlineData("""scheduler.jobs.hello { command = [echo], agent = a1, misfire = sometimes }""",
        "jobs.conf: scheduler.jobs.hello.misfire = sometimes is invalid; expected fire-once, skip or fire-all")]
    [InlineData("""scheduler.jobs.hello { command = [echo], agent = a1, retry { backoff = 1s } }""",
        "jobs.conf: scheduler.jobs.hello.retry.count = (missing) is invalid")]
    [InlineData("""scheduler.jobs."bad id!" { command = [echo], agent = a1 }""",
        "jobs.conf: scheduler.jobs.bad id!: job id 'bad id!' may contain only")]
    [InlineData("""scheduler.jobs = [1, 2]""",
        "jobs.conf: scheduler.jobs must be an object with one entry per job")]
    public void A_mistake_should_name_the_file_the_key_and_the_reason(string hocon, string expected)
    {
        var error = Error(hocon);
        Assert.True(error.StartsWith(expected, StringComparison.Ordinal), error);
    }
}
