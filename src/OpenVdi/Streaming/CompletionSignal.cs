namespace OpenVdi;

/// <summary>
/// A count of completions that a device thread waits on, released by the completion agent. Unlike
/// <see cref="SemaphoreSlim"/> it never spins or yields before sleeping: on a small machine the agent, the client and
/// the other devices need the core a spinning waiter would take, and a release costs a wake only when someone sleeps.
/// </summary>
internal sealed class CompletionSignal
{
    private readonly object _gate = new();
    private int _count;
    private int _sleepers;

    /// <summary>Adds one completion; wakes the waiter if it sleeps.</summary>
    public void Release()
    {
        // Full fence (Dekker with Wait): the waiter sees the count, or this sees it as a sleeper and pulses.
        Interlocked.Increment(ref _count);
        if (Volatile.Read(ref _sleepers) != 0)
        {
            lock (_gate)
            {
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Takes one completion, waiting up to <paramref name="timeout"/> for it (infinite: -1 ms).</summary>
    /// <returns>False when the time ran out first.</returns>
    public bool Wait(TimeSpan timeout)
    {
        if (TryTake())
        {
            return true;
        }

        long deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_gate)
        {
            Interlocked.Increment(ref _sleepers);
            try
            {
                while (!TryTake())
                {
                    int wait = Timeout.Infinite;
                    if (deadline != long.MaxValue)
                    {
                        long left = deadline - Environment.TickCount64;
                        if (left <= 0)
                        {
                            return false;
                        }

                        wait = (int)Math.Min(left, int.MaxValue);
                    }

                    // Release takes the lock to pulse, so it cannot slip in between the check above and this wait.
                    Monitor.Wait(_gate, wait);
                }

                return true;
            }
            finally
            {
                Interlocked.Decrement(ref _sleepers);
            }
        }
    }

    /// <summary>Waits for one completion, however long it takes.</summary>
    public void Wait() => Wait(Timeout.InfiniteTimeSpan);

    private bool TryTake()
    {
        int count;
        while ((count = Volatile.Read(ref _count)) > 0)
        {
            if (Interlocked.CompareExchange(ref _count, count - 1, count) == count)
            {
                return true;
            }
        }

        return false;
    }
}
