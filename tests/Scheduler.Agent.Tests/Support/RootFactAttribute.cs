namespace Scheduler.Agent.Tests.Support;

/// <summary>A fact that needs root (it mounts a file system); skipped with that reason otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Skip = "needs root: mounts a tiny tmpfs to fill a disk for real (the /dev/full spec covers the unprivileged case)";
        }
    }
}
