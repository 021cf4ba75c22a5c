using System.Runtime.InteropServices;

namespace OpenVdi.SqlVdi.Abi;

/// <summary>
/// <c>VDC_Command</c> as the Linux header lays it out on x86-64: what <c>GetCommand</c> hands the client.
/// <code>
///  0               1               2               3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +---------------------------------------------------------------+
/// |                    commandCode (int32)                        |  0
/// +---------------------------------------------------------------+
/// |                    size (int32)                               |  4
/// +---------------------------------------------------------------+
/// |                    position (int64)                           |  8
/// |                                                               |
/// +---------------------------------------------------------------+
/// |                    buffer (uint8_t*)                          | 16
/// |                                                               |
/// +---------------------------------------------------------------+
/// </code>
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct VdcCommandRecord
{
    /// <summary>The size of the structure in bytes, as g++ lays out the header's declaration.</summary>
    public const int Size = 24;

    /// <summary>A <see cref="VdCommandCode"/>.</summary>
    [FieldOffset(0)]
    public int CommandCode;

    /// <summary>Bytes to move, a count, or a <see cref="VdWhence"/>.</summary>
    [FieldOffset(4)]
    public int TransferSize;

    /// <summary>The position input.</summary>
    [FieldOffset(8)]
    public long Position;

    /// <summary>This process's address of the shared buffer; 0 for a command without one.</summary>
    [FieldOffset(16)]
    public nint Buffer;
}
