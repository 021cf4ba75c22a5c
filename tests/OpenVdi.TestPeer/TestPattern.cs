namespace OpenVdi.TestPeer;

/// <summary>The bytes peers send: a function of device and stream offset, so the receiver checks them alone.</summary>
public static class TestPattern
{
    public static byte At(int device, long offset) => (byte)((offset * 31) + (offset >> 9) + (device * 7) + 1);

    public static void Fill(int device, long offset, Span<byte> buffer)
    {
        for (int i = 0; i < buffer.Length; i++)
        {
            buffer[i] = At(device, offset + i);
        }
    }

    /// <summary>The offset of the first wrong byte, or -1.</summary>
    public static long FirstMismatch(int device, long offset, ReadOnlySpan<byte> data)
    {
        for (int i = 0; i < data.Length; i++)
        {
            if (data[i] != At(device, offset + i))
            {
                return offset + i;
            }
        }

        return -1;
    }

    /// <summary>A 64-bit FNV-1a checksum of <paramref name="data"/>, so two processes can compare what they see.</summary>
    public static ulong Checksum(ReadOnlySpan<byte> data) => Fnv.Add(Fnv.Start, data);
}
