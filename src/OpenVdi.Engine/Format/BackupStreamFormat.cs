using System.Numerics;

namespace OpenVdi.Engine.Format;

/// <summary>
/// Limits and rules shared by every structure of the backup stream. One stripe (the byte stream of one
/// media family, i.e. one virtual device) is laid out as:
/// <code>
/// offset 0              BLOCKSIZE             k·BLOCKSIZE                              end
/// +---------------------+---------------------+--------------+-----+--------------+---------------+
/// | media header block  | backup-set header   | data block 0 | ... | data block n | trailer block |
/// | MediaHeaderDescr.   | BackupSetHeaderDesc.| DataBlockDescriptor (header+payload)| StripeTrailer |
/// +---------------------+---------------------+--------------+-----+--------------+---------------+
/// </code>
/// Every structure starts on a BLOCKSIZE boundary and is zero-padded to the next one, so every stripe is
/// a whole number of blocks. All integers are little-endian. GUIDs are the 16 bytes of
/// <see cref="Guid.TryWriteBytes(Span{byte})"/> (the first three fields little-endian). Times are UTC
/// ticks: 100-nanosecond intervals since 0001-01-01T00:00:00Z. Checksums are CRC-32C (<see cref="Crc32C"/>).
/// </summary>
public static class BackupStreamFormat
{
    /// <summary>The format version this build writes and reads.</summary>
    public const ushort Version = 1;

    /// <summary>Smallest BLOCKSIZE (bytes); also the smallest first read a reader needs to see the media header.</summary>
    public const int MinBlockSize = VdiLimits.MinBlockSize;

    /// <summary>Largest BLOCKSIZE (bytes).</summary>
    public const int MaxBlockSize = VdiLimits.MaxBlockSize;

    /// <summary>Largest MAXTRANSFERSIZE (bytes): no data block, header included, is longer.</summary>
    public const int MaxTransferSizeLimit = VdiLimits.MaxTransferSize;

    /// <summary>Most media families (stripes) in one media set, the VDI device limit.</summary>
    public const int MaxFamilyCount = VdiLimits.MaxDevices;

    /// <summary>The size of a GUID field.</summary>
    public const int GuidLength = 16;

    /// <summary>The size of every checksum field.</summary>
    public const int ChecksumLength = sizeof(uint);

    /// <summary>True when <paramref name="blockSize"/> is a power of two from 512 to 65536.</summary>
    /// <param name="blockSize">The candidate BLOCKSIZE.</param>
    /// <returns>Whether the stream may use it.</returns>
    public static bool IsValidBlockSize(int blockSize) =>
        blockSize is >= MinBlockSize and <= MaxBlockSize && BitOperations.IsPow2(blockSize);

    /// <summary>
    /// True when <paramref name="maxTransferSize"/> is a multiple of <paramref name="blockSize"/> from
    /// one block up to <see cref="MaxTransferSizeLimit"/>. (SQL Server's own rule, a multiple of 64 KiB,
    /// is the statement layer's to enforce; the format only needs every data block to fit a transfer.)
    /// </summary>
    /// <param name="maxTransferSize">The candidate MAXTRANSFERSIZE.</param>
    /// <param name="blockSize">A valid BLOCKSIZE.</param>
    /// <returns>Whether the stream may use it.</returns>
    public static bool IsValidMaxTransferSize(int maxTransferSize, int blockSize) =>
        maxTransferSize >= blockSize && maxTransferSize <= MaxTransferSizeLimit && maxTransferSize % blockSize == 0;

    /// <summary>Rounds <paramref name="length"/> up to a multiple of <paramref name="blockSize"/> (a power of two).</summary>
    /// <param name="length">A non-negative length.</param>
    /// <param name="blockSize">A valid BLOCKSIZE.</param>
    /// <returns>The padded length.</returns>
    public static long AlignUp(long length, int blockSize) => (length + blockSize - 1) & ~(long)(blockSize - 1);

    /// <summary>True when <paramref name="ticks"/> is a representable UTC time after the epoch of ticks.</summary>
    internal static bool IsValidTicks(long ticks) => ticks > 0 && ticks <= DateTime.MaxValue.Ticks;
}
