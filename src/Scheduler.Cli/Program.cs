using Scheduler.Cli;

return await SchedulerCli.RunAsync(args, CliConsole.System);
