namespace OpenVdi.Transport;

/// <summary>
/// Layout of one buffer-area segment (<c>&lt;control path&gt;.b&lt;k&gt;</c>), created by the server at
/// EndConfiguration (segment 0) and by each later RequestBuffers (segments 1..15).
/// <code>
///   0                 header (64 bytes)
///   EntryTableOffset  BufferCount entries of EntryLength bytes (the buffer table)
///   DataRegionOffset  the buffers: [padding][prefix zone][data zone], data zones aligned as requested
/// </code>
/// Offsets in the table are relative to the segment start. Every mapping's base is 64 KiB-aligned, so a data
/// offset aligned to A (A &lt;= 64 KiB) gives an address aligned to A in every process.
/// </summary>
internal static class BufferAreaDescriptor
{
    /// <summary>"OVDIBUF1" read as a little-endian 64-bit integer.</summary>
    public const ulong Magic = 0x3146_5542_4944_564F;

    public const int LayoutVersion = 1;

    //  0                   1                   2                   3
    //  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    // +-------------------------------------------------------------+
    // |                      Magic (64 bits)                         |  0
    // |                      Layout version                          |  8
    // |                      Header length                           | 12
    // |                      Segment length (64 bits)                | 16
    // |                      Incarnation of the set (64 bits)        | 24
    // |                      Segment index                           | 32
    // |                      First buffer index                      | 36
    // |                      Buffer count                            | 40
    // |                      Prefix zone size                        | 44
    // |                      Entry table offset                      | 48
    // |                      Data region offset                      | 52
    // |                      Reserved (8 bytes)                      | 56
    // +-------------------------------------------------------------+
    public const int MagicOffset = 0;
    public const int LayoutVersionOffset = MagicOffset + sizeof(ulong);
    public const int HeaderLengthOffset = LayoutVersionOffset + sizeof(int);
    public const int SegmentLengthOffset = HeaderLengthOffset + sizeof(int);
    public const int IncarnationOffset = SegmentLengthOffset + sizeof(long);
    public const int SegmentIndexOffset = IncarnationOffset + sizeof(long);
    public const int FirstBufferIndexOffset = SegmentIndexOffset + sizeof(int);
    public const int BufferCountOffset = FirstBufferIndexOffset + sizeof(int);
    public const int PrefixZoneSizeOffset = BufferCountOffset + sizeof(int);
    public const int EntryTableOffsetOffset = PrefixZoneSizeOffset + sizeof(int);
    public const int DataRegionOffsetOffset = EntryTableOffsetOffset + sizeof(int);
    public const int HeaderLength = 64;

    // Buffer table entry. State, generation and in-flight fields are written by the server only.
    //  0 state (0 free, 1 allocated)      4 generation (bumped on free and on every send)
    //  8 data offset (64 bits)           16 capacity (bytes of the data zone)
    // 20 alignment of the data zone      24 in-flight device + 1 (0: none)   28 in-flight sequence
    public const int EntryStateOffset = 0;
    public const int EntryGenerationOffset = EntryStateOffset + sizeof(int);
    public const int EntryDataOffsetOffset = EntryGenerationOffset + sizeof(int);
    public const int EntryCapacityOffset = EntryDataOffsetOffset + sizeof(long);
    public const int EntryAlignmentOffset = EntryCapacityOffset + sizeof(int);
    public const int EntryInFlightDeviceOffset = EntryAlignmentOffset + sizeof(int);
    public const int EntryInFlightSequenceOffset = EntryInFlightDeviceOffset + sizeof(int);
    public const int EntryLength = 32;

    /// <summary>The most buffers one set may have: a buffer handle carries a 16-bit index.</summary>
    public const int MaxBuffers = 0xFFFF;

    /// <summary>The largest segment OpenVdi maps (64 GiB); a larger length read from a peer is corrupt.</summary>
    public const long MaxSegmentLength = 64L << 30;

    /// <summary>Data zones start at least on a cache line.</summary>
    public const int MinDataAlignment = 64;

    public static long EntryOffset(int localIndex) => HeaderLength + ((long)localIndex * EntryLength);

    public static long DataRegionStart(int bufferCount) =>
        AlignUp(HeaderLength + ((long)bufferCount * EntryLength), MappedFile.MappingAlignment);

    public static long AlignUp(long value, long alignment) => (value + alignment - 1) & ~(alignment - 1);
}
