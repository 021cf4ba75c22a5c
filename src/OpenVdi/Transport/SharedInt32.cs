using System.Runtime.CompilerServices;

namespace OpenVdi.Transport;

/// <summary>
/// One 32-bit word of shared memory, every access of which names its memory ordering (Agrona's convention): Plain
/// for a field that an acquire before it or a release after it already orders, Acquire and Release for the word that
/// publishes, and the read-modify-writes (Exchange, CompareExchange, Add, Increment, Decrement), which are full
/// fences. Only <see cref="SharedRegion"/> makes one, after checking the offset against the mapping.
/// </summary>
internal readonly unsafe struct SharedInt32
{
    private readonly int* _address;

    /// <summary>For <see cref="SharedRegion.Int32"/> only: <paramref name="address"/> was checked to lie inside the mapping, 4-aligned.</summary>
    internal SharedInt32(int* address) => _address = address;

    /// <summary>The word's address, for a futex call.</summary>
    public int* Address => _address;

    // SAFETY (every member below): the address was checked against the mapping when this value was made, and the
    // mapping outlives every accessor made from it (a segment is unmapped only once nothing of its set runs).

    /// <summary>A plain load: no ordering of its own.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadPlain() => *_address;

    /// <summary>A load-acquire: later loads and stores are not moved before it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadAcquire() => Volatile.Read(ref *_address);

    /// <summary>A plain store: no ordering of its own.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WritePlain(int value) => *_address = value;

    /// <summary>A store-release: earlier loads and stores are visible before it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteRelease(int value) => Volatile.Write(ref *_address, value);

    /// <summary>An atomic exchange, a full fence; returns the old value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Exchange(int value) => Interlocked.Exchange(ref *_address, value);

    /// <summary>An atomic compare-and-swap, a full fence; returns the value found.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int CompareExchange(int value, int comparand) => Interlocked.CompareExchange(ref *_address, value, comparand);

    /// <summary>An atomic add, a full fence; returns the new value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Add(int value) => Interlocked.Add(ref *_address, value);

    /// <summary>An atomic increment, a full fence; returns the new value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Increment() => Interlocked.Increment(ref *_address);

    /// <summary>An atomic decrement, a full fence; returns the new value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Decrement() => Interlocked.Decrement(ref *_address);
}
