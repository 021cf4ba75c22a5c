using System.Runtime.InteropServices;

namespace OpenVdi;

/// <summary>
/// The configuration of a virtual device set (<c>VDConfig</c>): eleven 32-bit fields, 44 bytes, in the documented
/// order. The client fills the first seven in <c>CreateEx</c>; the server fills the last four and adds
/// <see cref="VdFeatures.VDF_WriteMedia"/>, <see cref="VdFeatures.VDF_ReadMedia"/> or
/// <see cref="VdFeatures.VDF_CompleteEnabled"/> to <see cref="Features"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
public struct VdConfig
{
    /// <summary>The number of devices, 1 to 64 (client input).</summary>
    public uint DeviceCount;

    /// <summary>The feature bits (client input; the server adds its own).</summary>
    public VdFeatures Features;

    /// <summary>Bytes of client scratch space just before every data buffer; 0 for none (client input).</summary>
    public uint PrefixZoneSize;

    /// <summary>The minimum alignment of every data buffer, a power of two up to 64 KiB; 0 for none (client input).</summary>
    public uint Alignment;

    /// <summary>The soft filemark block size, with VDF_FileMarks (client input).</summary>
    public uint SoftFileMarkBlockSize;

    /// <summary>The end-of-media warning zone in bytes (client input).</summary>
    public uint EOMWarningSize;

    /// <summary>
    /// Milliseconds the server waits for the client: after two intervals with commands pending and none
    /// completing, the set aborts. 0 waits forever (client input).
    /// </summary>
    public uint ServerTimeOut;

    /// <summary>The BLOCKSIZE: every transfer is a multiple of it (server output).</summary>
    public uint BlockSize;

    /// <summary>Deprecated; always 4 (server output).</summary>
    public uint MaxIODepth;

    /// <summary>The MAXTRANSFERSIZE: the largest transfer and the data size of a buffer (server output).</summary>
    public uint MaxTransferSize;

    /// <summary>The total size of the shared buffer area (server output).</summary>
    public uint BufferAreaSize;

    /// <summary>The size of the structure in bytes, as in <c>vdi.h</c>.</summary>
    public const int Size = 44;

    /// <inheritdoc/>
    public override readonly string ToString() =>
        $"deviceCount={DeviceCount} features=0x{(uint)Features:X} prefixZoneSize={PrefixZoneSize} alignment={Alignment} " +
        $"softFileMarkBlockSize={SoftFileMarkBlockSize} EOMWarningSize={EOMWarningSize} serverTimeOut={ServerTimeOut} " +
        $"blockSize={BlockSize} maxIODepth={MaxIODepth} maxTransferSize={MaxTransferSize} bufferAreaSize={BufferAreaSize}";
}
