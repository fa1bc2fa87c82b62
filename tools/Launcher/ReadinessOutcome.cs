namespace Launcher;

/// <summary>How a wait for a service's readiness ended.</summary>
public enum ReadinessOutcome
{
    /// <summary>Its ready URL answered 200.</summary>
    Ready,

    /// <summary>The process exited first.</summary>
    Exited,

    /// <summary>Neither happened within the time allowed.</summary>
    TimedOut,
}
