namespace OpenVdi.Transport;

/// <summary>
/// Counts the calls inside an object so that Close can wait for them to leave before it unmaps the memory they
/// use. Entering costs one interlocked increment; a closed gate refuses new calls.
/// </summary>
internal sealed class CallGate
{
    private const int ClosedBit = 1 << 30;
    private int _state;

    public bool IsClosed => (Volatile.Read(ref _state) & ClosedBit) != 0;

    public bool TryEnter()
    {
        // Full fence: a Close that sets the bit after this sees the count and waits for Exit.
        if ((Interlocked.Increment(ref _state) & ClosedBit) != 0)
        {
            Interlocked.Decrement(ref _state);
            return false;
        }

        return true;
    }

    public void Exit() => Interlocked.Decrement(ref _state);

    /// <summary>Refuses new calls; callers then wake the waiters inside and call <see cref="Drain"/>.</summary>
    public void Close() => Interlocked.Or(ref _state, ClosedBit);

    /// <summary>Waits until every call that entered has left. Callers woke them first, so this is short.</summary>
    public void Drain()
    {
        var spinner = default(SpinWait);
        while ((Volatile.Read(ref _state) & ~ClosedBit) != 0)
        {
            spinner.SpinOnce(sleep1Threshold: 20);
        }
    }

    /// <summary>Opens the gate again for the object's next life (CreateEx after Close).</summary>
    public void Reset() => Volatile.Write(ref _state, 0);
}
