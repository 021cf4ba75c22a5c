using System.Runtime.CompilerServices;

namespace OpenVdi.Transport;

/// <summary>
/// A view of mapped shared memory with checked accessors. Every access is bounds- and alignment-checked against
/// the mapped length, so no value read from a peer can lead to an access outside the mapping.
/// </summary>
internal readonly unsafe struct SharedRegion
{
    private readonly byte* _base;

    public SharedRegion(byte* baseAddress, long length)
    {
        _base = baseAddress;
        Length = length;
    }

    public long Length { get; }

    public nint BaseAddress => (nint)_base;

    public bool IsEmpty => _base == null;

    /// <summary>The 32-bit word at <paramref name="offset"/>, whose accesses name their ordering.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public SharedInt32 Int32(long offset)
    {
        // Signed: an empty region (Length 0, unmapped) fails every offset instead of wrapping around.
        if (offset < 0 || offset > Length - sizeof(int) || (offset & 3) != 0)
        {
            ThrowOutOfRange(offset);
        }

        // SAFETY: offset + 4 <= Length and the mapping is Length bytes long and 4-aligned at offset.
        return new SharedInt32((int*)(_base + offset));
    }

    /// <summary>The 64-bit word at <paramref name="offset"/>, whose accesses name their ordering.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public SharedInt64 Int64(long offset)
    {
        if (offset < 0 || offset > Length - sizeof(long) || (offset & 7) != 0)
        {
            ThrowOutOfRange(offset);
        }

        // SAFETY: offset + 8 <= Length and the address is 8-aligned.
        return new SharedInt64((long*)(_base + offset));
    }

    /// <summary>The bytes [offset, offset + length) as a span.</summary>
    public Span<byte> Bytes(long offset, int length)
    {
        if (length < 0 || offset < 0 || offset > Length || length > Length - offset || (_base == null && length > 0))
        {
            ThrowOutOfRange(offset);
        }

        // SAFETY: [offset, offset + length) lies inside the mapping.
        return new Span<byte>(_base + offset, length);
    }

    /// <summary>Whether <paramref name="address"/> lies inside the region; the offset if it does.</summary>
    public bool Contains(nint address, out long offset)
    {
        offset = (long)((byte*)address - _base);
        return _base != null && (ulong)offset < (ulong)Length;
    }

    private static void ThrowOutOfRange(long offset) =>
        throw new CorruptSegmentException($"Shared-memory access at offset {offset} lies outside the mapping.");
}
