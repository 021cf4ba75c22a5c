using System.Buffers.Binary;
using System.Globalization;

namespace OpenVdi.Engine.Format;

/// <summary>
/// Layout of the media header, the first block of every stripe. It names the media set and the
/// family, so that one stripe alone answers RESTORE LABELONLY, and it fixes the BLOCKSIZE of the
/// stripe. The header is <see cref="Length"/> bytes at offset 0; the rest of the first block is zero.
/// <code>
/// offset  size  field
///      0     8  Magic          "OVDMEDIA" (0x4149_4445_4D44_564F)
///      8     2  Version        format version, 1
///     10     2  HeaderLength   64
///     12     4  BlockSize      BLOCKSIZE of the whole stripe, 512..65536, power of two
///     16    16  MediaSetId     GUID shared by every family of the media set
///     32     2  FamilyCount    1..64
///     34     2  FamilyNumber   1..FamilyCount
///     36     4  MediaSequence  1 (one volume per family)
///     40     8  CreationTime   UTC ticks
///     48    12  Reserved       zero
///     60     4  Checksum       CRC-32C of bytes 0..59
/// </code>
/// </summary>
public static class MediaHeaderDescriptor
{
    /// <summary>"OVDMEDIA" read as a little-endian 64-bit integer.</summary>
    public const ulong Magic = 0x4149_4445_4D44_564F;

    /// <summary>Offset of the 8-byte magic.</summary>
    public const int MagicOffset = 0;

    /// <summary>Offset of the 2-byte format version.</summary>
    public const int VersionOffset = MagicOffset + sizeof(ulong);

    /// <summary>Offset of the 2-byte header length.</summary>
    public const int HeaderLengthOffset = VersionOffset + sizeof(ushort);

    /// <summary>Offset of the 4-byte BLOCKSIZE.</summary>
    public const int BlockSizeOffset = HeaderLengthOffset + sizeof(ushort);

    /// <summary>Offset of the 16-byte media set GUID.</summary>
    public const int MediaSetIdOffset = BlockSizeOffset + sizeof(uint);

    /// <summary>Offset of the 2-byte family count.</summary>
    public const int FamilyCountOffset = MediaSetIdOffset + BackupStreamFormat.GuidLength;

    /// <summary>Offset of the 2-byte 1-based family number.</summary>
    public const int FamilyNumberOffset = FamilyCountOffset + sizeof(ushort);

    /// <summary>Offset of the 4-byte media sequence number.</summary>
    public const int MediaSequenceOffset = FamilyNumberOffset + sizeof(ushort);

    /// <summary>Offset of the 8-byte creation time.</summary>
    public const int CreationTimeOffset = MediaSequenceOffset + sizeof(uint);

    /// <summary>Offset of the reserved bytes, which are zero.</summary>
    public const int ReservedOffset = CreationTimeOffset + sizeof(long);

    /// <summary>Number of reserved bytes.</summary>
    public const int ReservedLength = 12;

    /// <summary>Offset of the 4-byte header checksum.</summary>
    public const int ChecksumOffset = ReservedOffset + ReservedLength;

    /// <summary>
    /// Length of the media header in bytes (64); it always fits the smallest block.
    /// <code>
    ///  0                   1                   2                   3
    ///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |                     Magic "OVDM" (low)                        |  0
    /// |                     Magic "EDIA" (high)                       |  4
    /// |           Version             |         HeaderLength          |  8
    /// |                          BlockSize                            | 12
    /// |                                                               | 16
    /// |                     MediaSetId (16 bytes)                     | 20
    /// |                                                               | 24
    /// |                                                               | 28
    /// |         FamilyCount           |         FamilyNumber          | 32
    /// |                        MediaSequence                          | 36
    /// |                     CreationTime (low)                        | 40
    /// |                     CreationTime (high)                       | 44
    /// |                        Reserved (zero)                        | 48
    /// |                        Reserved (zero)                        | 52
    /// |                        Reserved (zero)                        | 56
    /// |                          Checksum                             | 60
    /// +---------------------------------------------------------------+
    /// </code>
    /// </summary>
    public const int Length = ChecksumOffset + BackupStreamFormat.ChecksumLength;

    /// <summary>The stripe offset of the backup-set header: the media header block is always one block.</summary>
    /// <param name="blockSize">The stripe's BLOCKSIZE.</param>
    /// <returns>The offset of the backup-set header.</returns>
    public static long SetHeaderOffset(int blockSize) => blockSize;

    /// <summary>
    /// Checks a media header read from the start of a stripe: magic, version, length, checksum, then
    /// every field's range. Throws <see cref="BackupStreamException"/> naming the first fault.
    /// </summary>
    /// <param name="header">At least <see cref="Length"/> bytes.</param>
    /// <param name="at">The stripe being read (family not yet known).</param>
    internal static void CheckHeader(ReadOnlySpan<byte> header, StreamLocation at)
    {
        if (BinaryPrimitives.ReadUInt64LittleEndian(header[MagicOffset..]) != Magic)
        {
            throw at.Fault(BackupStreamError.NotABackupStream, "The stripe does not begin with an OpenVdi media header.");
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(header[VersionOffset..]);
        ushort length = BinaryPrimitives.ReadUInt16LittleEndian(header[HeaderLengthOffset..]);
        if (version != BackupStreamFormat.Version || length != Length)
        {
            throw at.Fault(
                BackupStreamError.UnsupportedVersion,
                string.Create(CultureInfo.InvariantCulture, $"The media header has format version {version} and length {length}; this build reads version {BackupStreamFormat.Version}, length {Length}."));
        }

        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(header[ChecksumOffset..]);
        uint computed = Crc32C.Compute(header[..ChecksumOffset]);
        if (stored != computed)
        {
            throw at.Fault(
                BackupStreamError.HeaderChecksumMismatch,
                string.Create(CultureInfo.InvariantCulture, $"The media header checksum is 0x{stored:X8} but its bytes give 0x{computed:X8}."));
        }

        int blockSize = BinaryPrimitives.ReadInt32LittleEndian(header[BlockSizeOffset..]);
        if (!BackupStreamFormat.IsValidBlockSize(blockSize))
        {
            throw at.Fault(BackupStreamError.InvalidField, string.Create(CultureInfo.InvariantCulture, $"The media header's BLOCKSIZE {blockSize} is not a power of two from 512 to 65536."));
        }

        int familyCount = BinaryPrimitives.ReadUInt16LittleEndian(header[FamilyCountOffset..]);
        int familyNumber = BinaryPrimitives.ReadUInt16LittleEndian(header[FamilyNumberOffset..]);
        if (familyCount is < 1 or > BackupStreamFormat.MaxFamilyCount || familyNumber < 1 || familyNumber > familyCount)
        {
            throw at.Fault(BackupStreamError.InvalidField, string.Create(CultureInfo.InvariantCulture, $"The media header names family {familyNumber} of {familyCount}; families are numbered 1..count and a set has 1..64."));
        }

        uint sequence = BinaryPrimitives.ReadUInt32LittleEndian(header[MediaSequenceOffset..]);
        if (sequence != 1)
        {
            throw at.Fault(BackupStreamError.InvalidField, string.Create(CultureInfo.InvariantCulture, $"The media header has media sequence {sequence}; only single-volume families (sequence 1) exist."));
        }

        if (!BackupStreamFormat.IsValidTicks(BinaryPrimitives.ReadInt64LittleEndian(header[CreationTimeOffset..])))
        {
            throw at.Fault(BackupStreamError.InvalidField, "The media header's creation time is not a valid UTC time.");
        }

        if (header.Slice(ReservedOffset, ReservedLength).ContainsAnyExcept((byte)0))
        {
            throw at.Fault(BackupStreamError.InvalidField, "The media header's reserved bytes are not zero.");
        }
    }
}
