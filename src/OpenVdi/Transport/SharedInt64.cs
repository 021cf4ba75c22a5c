using System.Runtime.CompilerServices;

namespace OpenVdi.Transport;

/// <summary>
/// One 64-bit word of shared memory, every access of which names its memory ordering, as <see cref="SharedInt32"/>
/// (with Or and And for the device masks). Only <see cref="SharedRegion"/> makes one, after checking the offset.
/// </summary>
internal readonly unsafe struct SharedInt64
{
    private readonly long* _address;

    /// <summary>For <see cref="SharedRegion.Int64"/> only: <paramref name="address"/> was checked to lie inside the mapping, 8-aligned.</summary>
    internal SharedInt64(long* address) => _address = address;

    // SAFETY (every member below): as SharedInt32's, the address was checked when this value was made and the mapping
    // outlives it.

    /// <summary>A plain load: no ordering of its own.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long ReadPlain() => *_address;

    /// <summary>A load-acquire: later loads and stores are not moved before it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long ReadAcquire() => Volatile.Read(ref *_address);

    /// <summary>A plain store: no ordering of its own.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WritePlain(long value) => *_address = value;

    /// <summary>A store-release: earlier loads and stores are visible before it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteRelease(long value) => Volatile.Write(ref *_address, value);

    /// <summary>An atomic exchange, a full fence; returns the old value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Exchange(long value) => Interlocked.Exchange(ref *_address, value);

    /// <summary>An atomic compare-and-swap, a full fence; returns the value found.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long CompareExchange(long value, long comparand) => Interlocked.CompareExchange(ref *_address, value, comparand);

    /// <summary>An atomic bitwise or, a full fence; returns the old value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Or(long mask) => Interlocked.Or(ref *_address, mask);

    /// <summary>An atomic bitwise and, a full fence; returns the old value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long And(long mask) => Interlocked.And(ref *_address, mask);
}
