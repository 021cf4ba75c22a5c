using System.Numerics;
using System.Runtime.InteropServices;

namespace OpenVdi.Example;

/// <summary>
/// The bytes the example sends: 64-bit words whose value is a function of the device and the word's position in
/// its stream, so the client can check every byte without the server telling it anything.
/// </summary>
internal static class Pattern
{
    private const ulong DeviceKey = 0x9E37_79B9_7F4A_7C15;

    /// <summary>Fills <paramref name="buffer"/> (a multiple of 8 bytes) with the stream of <paramref name="device"/> from <paramref name="offset"/>.</summary>
    public static void Fill(int device, long offset, Span<byte> buffer)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(buffer);
        ulong key = (ulong)(device + 1) * DeviceKey;
        ulong first = (ulong)offset / 8;
        int i = 0;
        if (Vector.IsHardwareAccelerated && words.Length >= Vector<ulong>.Count)
        {
            var step = new Vector<ulong>((ulong)Vector<ulong>.Count);
            var index = Vector<ulong>.Indices + new Vector<ulong>(first);
            var keys = new Vector<ulong>(key);
            var vectors = MemoryMarshal.Cast<ulong, Vector<ulong>>(words);
            for (int v = 0; v < vectors.Length; v++, index += step)
            {
                vectors[v] = index ^ keys;
            }

            i = vectors.Length * Vector<ulong>.Count;
        }

        for (; i < words.Length; i++)
        {
            words[i] = (first + (ulong)i) ^ key;
        }
    }

    /// <summary>Whether <paramref name="data"/> is exactly the stream of <paramref name="device"/> at <paramref name="offset"/>.</summary>
    public static bool Check(int device, long offset, ReadOnlySpan<byte> data)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        ulong key = (ulong)(device + 1) * DeviceKey;
        ulong first = (ulong)offset / 8;
        int i = 0;
        if (Vector.IsHardwareAccelerated && words.Length >= Vector<ulong>.Count)
        {
            var step = new Vector<ulong>((ulong)Vector<ulong>.Count);
            var index = Vector<ulong>.Indices + new Vector<ulong>(first);
            var keys = new Vector<ulong>(key);
            var vectors = MemoryMarshal.Cast<ulong, Vector<ulong>>(words);
            for (int v = 0; v < vectors.Length; v++, index += step)
            {
                if (vectors[v] != (index ^ keys))
                {
                    return false;
                }
            }

            i = vectors.Length * Vector<ulong>.Count;
        }

        for (; i < words.Length; i++)
        {
            if (words[i] != ((first + (ulong)i) ^ key))
            {
                return false;
            }
        }

        return data.Length % 8 == 0;
    }
}
