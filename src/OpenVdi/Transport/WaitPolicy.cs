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

    /// <summary>Checks of the condition, each after a short pause, before a waiter with a place in <see cref="Spinners"/> sleeps in the kernel.</summary>
    public static int SpinIterations { get; set; } = 100;

    /// <summary>This process's places for spinning waiters.</summary>
    public static SpinPlaces Spinners { get; } = new(Environment.ProcessorCount);
}
