using System.Globalization;
using System.Text;

namespace Scheduler.Agent.Processes;

/// <summary>The fields of /proc/PID/stat the runner needs.</summary>
internal readonly record struct ProcStat(int Pid, char State, int ParentPid, int ProcessGroup, int Session, long StartTicks)
{
    /// <summary>Zombie (Z) or dead (X, x): exited, only the exit status is left.</summary>
    public bool IsDead => State is 'Z' or 'X' or 'x';
}

/// <summary>Reads /proc. Every read tolerates the process vanishing or being unreadable.</summary>
internal static class ProcFs
{
    public static ProcStat? ReadStat(int pid)
    {
        if (pid <= 0)
        {
            return null;
        }

        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return ParseStat(pid, text);
    }

    /// <summary>
    /// Parses "pid (comm) state ppid pgrp session … starttime(22) …". comm may contain spaces and ')',
    /// so the fields are counted from the last ')'.
    /// </summary>
    public static ProcStat? ParseStat(int pid, string text)
    {
        var close = text.LastIndexOf(')');
        if (close < 0 || close + 2 >= text.Length)
        {
            return null;
        }

        var fields = text[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state), so field N is fields[N - 3].
        if (fields.Length < 20
            || fields[0].Length != 1
            || !int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ppid)
            || !int.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pgrp)
            || !int.TryParse(fields[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var session)
            || !long.TryParse(fields[19], NumberStyles.Integer, CultureInfo.InvariantCulture, out var startTicks))
        {
            return null;
        }

        return new ProcStat(pid, fields[0][0], ppid, pgrp, session, startTicks);
    }

    /// <summary>Every process visible in /proc at this moment.</summary>
    public static List<ProcStat> ReadAll()
    {
        var result = new List<ProcStat>();
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateDirectories("/proc");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return result;
        }

        foreach (var entry in entries)
        {
            if (int.TryParse(Path.GetFileName(entry.AsSpan()), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && ReadStat(pid) is { } stat)
            {
                result.Add(stat);
            }
        }

        return result;
    }

    /// <summary>Whether /proc/PID/environ contains exactly <paramref name="variable"/> ("NAME=value"); false if unreadable.</summary>
    public static bool HasEnvironmentEntry(int pid, byte[] variable)
    {
        byte[] environ;
        try
        {
            environ = File.ReadAllBytes($"/proc/{pid}/environ");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        var span = environ.AsSpan();
        while (span.Length > 0)
        {
            var end = span.IndexOf((byte)0);
            var entry = end < 0 ? span : span[..end];
            if (entry.SequenceEqual(variable))
            {
                return true;
            }

            span = end < 0 ? default : span[(end + 1)..];
        }

        return false;
    }

    public static byte[] TaskMarker(string taskId) =>
        Encoding.UTF8.GetBytes($"{TaskProcessLauncher.TaskIdVariable}={taskId}");

    public static string ReadBootId()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unknown";
        }
    }
}
