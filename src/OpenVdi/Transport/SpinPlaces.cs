namespace OpenVdi.Transport;

/// <summary>
/// Who may spin before sleeping: at most all processors but one at once (the peer needs one), and only a waiter on a
/// set whose device threads and one server thread fit on the processors. Spinning pays only while a processor is
/// otherwise idle: a waiter that sleeps costs its peer a wake-up per command, and on a virtual machine waking a halted
/// processor is dearer than the spin; but four device threads spinning on two processors take the time the server
/// needs to produce what they wait for (measured, docs/benchmarks.md: one device 2× faster and the round trip 3×, four
/// devices on two processors at a fifth of their speed when they all spun).
/// </summary>
internal sealed class SpinPlaces
{
    private readonly int _processors;
    private int _taken;

    /// <param name="processors">The processors this process may run on.</param>
    public SpinPlaces(int processors)
    {
        _processors = processors;
        Max = Math.Max(0, processors - 1);
    }

    /// <summary>How many waiters may spin at once.</summary>
    public int Max { get; }

    /// <summary>
    /// Takes a place for a waiter on a device of a set of <paramref name="deviceCount"/> devices; false (the waiter
    /// then sleeps at once) when the set's threads do not fit on the processors or every place is taken. A true answer
    /// is given back with <see cref="Leave"/>.
    /// </summary>
    public bool TryEnter(int deviceCount)
    {
        if (deviceCount + 1 > _processors)
        {
            return false;
        }

        if (Interlocked.Increment(ref _taken) <= Max)
        {
            return true;
        }

        Interlocked.Decrement(ref _taken);
        return false;
    }

    /// <summary>Gives back a place taken by <see cref="TryEnter"/>.</summary>
    public void Leave() => Interlocked.Decrement(ref _taken);
}
