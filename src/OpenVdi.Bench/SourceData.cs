using System.Runtime.InteropServices;

namespace OpenVdi.Bench;

/// <summary>
/// The bytes every transport carries: a block of pseudo-random bytes larger than the CPU caches (the default is
/// 512 MiB against the 105 MiB L3 of this machine kind), so that producing and consuming them is bound by memory the
/// way a real backup is, not by cache. Both processes make the same block from the same seed; each stream walks it in
/// transfer-sized chunks from its own starting chunk and wraps, and the consumer knows in advance what the sum of all
/// its buffers' checksums must be.
/// </summary>
internal sealed class SourceData
{
    /// <summary>The default size: well above the last-level cache.</summary>
    public const int DefaultLength = 512 << 20;

    private readonly byte[] _bytes;

    /// <summary>Makes the block: <paramref name="length"/> bytes, a multiple of 4 MiB (the largest transfer).</summary>
    public SourceData(int length, ulong seed = 0x9E3779B97F4A7C15)
    {
        if (length <= 0 || length % (4 << 20) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "The source is a positive multiple of 4 MiB.");
        }

        // Pinned, so that the kernel's copies (write on a pipe or socket) read it in place like ours.
        _bytes = GC.AllocateUninitializedArray<byte>(length, pinned: true);
        var words = MemoryMarshal.Cast<byte, ulong>(_bytes.AsSpan());
        ulong state = seed;
        for (int i = 0; i < words.Length; i++)
        {
            // xorshift64*: cheap, and incompressible enough that no layer can shortcut the bytes.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            words[i] = state * 0x2545F4914F6CDD1D;
        }
    }

    /// <summary>The block's length in bytes.</summary>
    public int Length => _bytes.Length;

    /// <summary>The <paramref name="transfer"/>-sized chunk <paramref name="index"/> (taken modulo the chunk count).</summary>
    public ReadOnlySpan<byte> Chunk(long index, int transfer)
    {
        int count = _bytes.Length / transfer;
        return _bytes.AsSpan((int)(index % count) * transfer, transfer);
    }

    /// <summary>The first chunk of stream <paramref name="stream"/> of <paramref name="streams"/>: the streams start spread over the block.</summary>
    public long FirstChunk(int stream, int streams, int transfer) => (long)stream * (_bytes.Length / transfer) / streams;

    /// <summary>
    /// The sum (wrapping) of <see cref="Checksum.Of"/> over every buffer of every stream, when each of
    /// <paramref name="streams"/> streams carries <paramref name="chunksPerStream"/> chunks of <paramref name="transfer"/> bytes.
    /// </summary>
    public ulong ExpectedChecksum(int streams, long chunksPerStream, int transfer)
    {
        int count = _bytes.Length / transfer;
        var chunkSums = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            chunkSums[i] = Checksum.Of(Chunk(i, transfer));
        }

        // A stream's chunks are whole laps over the block plus a run from its first chunk on.
        ulong lap = 0;
        foreach (ulong sum in chunkSums)
        {
            lap += sum;
        }

        ulong total = 0;
        for (int s = 0; s < streams; s++)
        {
            long first = FirstChunk(s, streams, transfer);
            total += lap * (ulong)(chunksPerStream / count);
            for (long k = 0; k < chunksPerStream % count; k++)
            {
                total += chunkSums[(first + k) % count];
            }
        }

        return total;
    }
}
