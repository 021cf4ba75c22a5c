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

    /// <summary>Checks of the condition, each after a short pause, before a waiter with a place in <see cref="Spinners"/> sleeps in the kernel (0: never spin).</summary>
    public static int SpinIterations { get; set; } = 100;

    /// <summary>This process's places for spinning waiters.</summary>
    public static SpinPlaces Spinners { get; } = new(Environment.ProcessorCount);

    /// <summary>
    /// Before a waiter registers and sleeps: if it gets a place in <see cref="Spinners"/> for a wait carried by
    /// <paramref name="threads"/> threads of this process, checks <paramref name="ready"/> up to
    /// <see cref="SpinIterations"/> times, each after a short pause (about 0.1 ms in all). True when it became ready
    /// (the caller looks again instead of sleeping); false at once without a place, or when the spin ran out.
    /// </summary>
    /// <remarks>A static <paramref name="ready"/> with its <paramref name="state"/>: nothing is allocated per wait.</remarks>
    public static bool SpinUntil<TState>(int threads, TState state, Func<TState, bool> ready)
    {
        if (SpinIterations <= 0 || !Spinners.TryEnter(threads))
        {
            return false;
        }

        try
        {
            for (int spin = 0; spin < SpinIterations; spin++)
            {
                if (ready(state))
                {
                    return true;
                }

                Thread.SpinWait(20);
            }

            return false;
        }
        finally
        {
            Spinners.Leave();
        }
    }
}
