using System.Numerics;
using System.Runtime.InteropServices;

namespace OpenVdi.Bench;

/// <summary>
/// What every consumer does with every buffer: reads each byte once, in place, as a backup application reading
/// data to compress or hash would. A wrapping sum of 64-bit words with SIMD adds: cheap enough to run at memory speed,
/// so the transports, not the checksum, set the figures; strong enough to catch a lost, duplicated or stale buffer.
/// </summary>
internal static class Checksum
{
    /// <summary>The checksum of <paramref name="data"/>, whose length is a multiple of 8.</summary>
    public static ulong Of(ReadOnlySpan<byte> data)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        var vectors = MemoryMarshal.Cast<ulong, Vector<ulong>>(words);
        Vector<ulong> a = Vector<ulong>.Zero, b = Vector<ulong>.Zero;
        int i = 0;

        // Two accumulators, so that consecutive adds do not wait on each other.
        for (; i + 1 < vectors.Length; i += 2)
        {
            a += vectors[i];
            b += vectors[i + 1];
        }

        if (i < vectors.Length)
        {
            a += vectors[i];
        }

        ulong sum = Vector.Sum(a + b);
        for (int w = vectors.Length * Vector<ulong>.Count; w < words.Length; w++)
        {
            sum += words[w];
        }

        return sum;
    }
}
