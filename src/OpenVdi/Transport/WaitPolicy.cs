namespace OpenVdi.Transport;

/// <summary>How the transport waits: the liveness probe interval and the spin before sleeping.</summary>
internal static class WaitPolicy
{
    /// <summary>
    /// A sleeping wait wakes at least this often to probe the peer's liveness lock, so a dead peer is noticed within
    /// this interval (the requirement is one second).
    /// </summary>
    public const int LivenessIntervalMs = 100;

    /// <summary>The least time between two liveness probes after wake-ups (each probe is an fcntl system call).</summary>
    public const int LivenessProbeSpacingMs = 10;

    /// <summary>
    /// Checks of the condition before a waiter sleeps in the kernel. On two or fewer CPUs a spinning waiter only
    /// steals the core its peer needs, so it does not spin there (measured: 61 µs against 2.7 µs per hand-off).
    /// </summary>
    public static int SpinIterations { get; set; } = Environment.ProcessorCount > 2 ? 200 : 0;
}
