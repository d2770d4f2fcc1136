namespace Scheduler.Agent.Processes;

/// <summary>
/// Makes the agent a child subreaper, so task descendants that double-fork or <c>setsid</c> are re-parented
/// to the agent instead of init and can still be found and killed.
/// </summary>
public static class Subreaper
{
    /// <summary>
    /// prctl(PR_SET_CHILD_SUBREAPER, 1) on this process. Returns false (and does not throw) if it fails.
    /// Note: .NET reaps only the children it started itself; re-parented descendants that exit stay zombies
    /// until the process runner reaps them (it does for the task trees it kills or sees exit).
    /// </summary>
    public static bool TryEnable()
    {
        try
        {
            return LibC.Prctl(LibC.SetChildSubreaper, 1, 0, 0, 0) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Whether this process is a child subreaper (PR_GET_CHILD_SUBREAPER); false when it cannot tell.</summary>
    public static bool IsEnabled()
    {
        try
        {
            return LibC.PrctlGet(LibC.GetChildSubreaper, out var value, 0, 0, 0) == 0 && value != 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }
}
