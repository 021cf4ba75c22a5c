namespace OpenVdi.Transport;

/// <summary>
/// Process-independent 32-bit buffer handles: the buffer's 16-bit index and the low 16 bits of its generation,
/// XORed with the set's random tag. A handle of another set decodes to a random index and generation and is
/// refused unless both happen to match a buffer in flight (about one chance in 2^32 per live buffer).
/// </summary>
internal static class BufferHandle
{
    public static uint Encode(uint tag, int index, int generation) => (((uint)generation & 0xFFFF) << 16 | (uint)index) ^ tag;

    public static void Decode(uint tag, uint handle, out int index, out int generation16)
    {
        uint raw = handle ^ tag;
        index = (int)(raw & 0xFFFF);
        generation16 = (int)(raw >> 16);
    }
}
