using System.Buffers.Binary;
using System.Globalization;

namespace OpenVdi.Engine.Format;

/// <summary>
/// Layout of the backup-set header: what was backed up (RESTORE HEADERONLY) and the file list
/// (RESTORE FILELISTONLY). Every stripe carries an identical copy starting at its second block
/// (offset BLOCKSIZE), padded with zeros to a block boundary; data blocks follow.
/// <code>
/// offset              size  section
///      0                88  fixed part (below)
///     88                 a  DatabaseName   UTF-8, DatabaseNameLength bytes
///   88+a                 b  Name           UTF-8 (BACKUP … WITH NAME), may be empty
/// 88+a+b                 c  Description    UTF-8 (WITH DESCRIPTION), may be empty
///      …                 …  FileCount file entries (BackupFileEntryDescriptor), back to back
/// TotalLength-4          4  Checksum       CRC-32C of bytes 0..TotalLength-5
/// </code>
/// Fixed part:
/// <code>
/// offset  size  field
///      0     4  Magic               "OVSH" (0x4853_564F)
///      4     2  Version             1
///      6     2  FixedLength         88
///      8     4  TotalLength         whole header with checksum, without padding; 111..4 MiB
///     12     2  BackupType          1 database, 2 log, 5 differential
///     14     2  Flags               bit 0 copy-only, bit 1 payload checksums; others zero
///     16     4  FileCount           1..32767
///     20     4  BlockSize           equal to the media header's
///     24     4  MaxTransferSize     bytes; no data block is longer
///     28     4  Reserved            zero
///     32    16  BackupSetId         GUID
///     48    16  MediaSetId          equal to the media header's
///     64     8  StartTime           UTC ticks
///     72     8  TotalDataBytes      sum of the file sizes
///     80     2  DatabaseNameLength  1..512
///     82     2  NameLength          0..512
///     84     2  DescriptionLength   0..1024
///     86     2  Reserved            zero
/// </code>
/// </summary>
public static class BackupSetHeaderDescriptor
{
    /// <summary>"OVSH" read as a little-endian 32-bit integer.</summary>
    public const uint Magic = 0x4853_564F;

    /// <summary>Offset of the 4-byte magic.</summary>
    public const int MagicOffset = 0;

    /// <summary>Offset of the 2-byte format version.</summary>
    public const int VersionOffset = MagicOffset + sizeof(uint);

    /// <summary>Offset of the 2-byte fixed-part length.</summary>
    public const int FixedLengthOffset = VersionOffset + sizeof(ushort);

    /// <summary>Offset of the 4-byte total length.</summary>
    public const int TotalLengthOffset = FixedLengthOffset + sizeof(ushort);

    /// <summary>Offset of the 2-byte backup type.</summary>
    public const int BackupTypeOffset = TotalLengthOffset + sizeof(uint);

    /// <summary>Offset of the 2-byte flags.</summary>
    public const int FlagsOffset = BackupTypeOffset + sizeof(ushort);

    /// <summary>Offset of the 4-byte file count.</summary>
    public const int FileCountOffset = FlagsOffset + sizeof(ushort);

    /// <summary>Offset of the 4-byte BLOCKSIZE.</summary>
    public const int BlockSizeOffset = FileCountOffset + sizeof(uint);

    /// <summary>Offset of the 4-byte MAXTRANSFERSIZE.</summary>
    public const int MaxTransferSizeOffset = BlockSizeOffset + sizeof(uint);

    /// <summary>Offset of 4 reserved bytes, which are zero.</summary>
    public const int Reserved1Offset = MaxTransferSizeOffset + sizeof(uint);

    /// <summary>Offset of the 16-byte backup set GUID.</summary>
    public const int BackupSetIdOffset = Reserved1Offset + sizeof(uint);

    /// <summary>Offset of the 16-byte media set GUID.</summary>
    public const int MediaSetIdOffset = BackupSetIdOffset + BackupStreamFormat.GuidLength;

    /// <summary>Offset of the 8-byte start time.</summary>
    public const int StartTimeOffset = MediaSetIdOffset + BackupStreamFormat.GuidLength;

    /// <summary>Offset of the 8-byte total data bytes.</summary>
    public const int TotalDataBytesOffset = StartTimeOffset + sizeof(long);

    /// <summary>Offset of the 2-byte database name length.</summary>
    public const int DatabaseNameLengthOffset = TotalDataBytesOffset + sizeof(long);

    /// <summary>Offset of the 2-byte backup set name length.</summary>
    public const int NameLengthOffset = DatabaseNameLengthOffset + sizeof(ushort);

    /// <summary>Offset of the 2-byte description length.</summary>
    public const int DescriptionLengthOffset = NameLengthOffset + sizeof(ushort);

    /// <summary>Offset of 2 reserved bytes, which are zero.</summary>
    public const int Reserved2Offset = DescriptionLengthOffset + sizeof(ushort);

    /// <summary>
    /// Length of the fixed part (88 bytes); the database name starts here.
    /// <code>
    ///  0                   1                   2                   3
    ///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |                          Magic "OVSH"                         |  0
    /// |           Version             |         FixedLength           |  4
    /// |                          TotalLength                          |  8
    /// |          BackupType           |            Flags              | 12
    /// |                           FileCount                           | 16
    /// |                           BlockSize                           | 20
    /// |                        MaxTransferSize                        | 24
    /// |                        Reserved (zero)                        | 28
    /// |                    BackupSetId (16 bytes)                     | 32..47
    /// |                    MediaSetId (16 bytes)                      | 48..63
    /// |                       StartTime (low)                         | 64
    /// |                       StartTime (high)                        | 68
    /// |                     TotalDataBytes (low)                      | 72
    /// |                     TotalDataBytes (high)                     | 76
    /// |      DatabaseNameLength       |          NameLength           | 80
    /// |      DescriptionLength        |        Reserved (zero)        | 84
    /// +---------------------------------------------------------------+
    /// |    DatabaseName, Name, Description, file entries, Checksum    | 88
    /// </code>
    /// </summary>
    public const int FixedLength = Reserved2Offset + sizeof(ushort);

    /// <summary>Shortest possible total length: the fixed part, a 1-byte database name, one file entry and the checksum.</summary>
    public const int MinTotalLength = FixedLength + 1 + BackupFileEntryDescriptor.FixedLength + 2 + BackupStreamFormat.ChecksumLength;

    /// <summary>Longest total length a reader accepts (4 MiB).</summary>
    public const int MaxTotalLength = 4 * 1024 * 1024;

    /// <summary>Most files in a backup set (SQL Server's limit per database).</summary>
    public const int MaxFileCount = 32767;

    /// <summary>Most UTF-8 bytes in the description.</summary>
    public const int MaxDescriptionBytes = 1024;

    /// <summary>Flags bit: the backup was taken WITH COPY_ONLY.</summary>
    public const ushort CopyOnlyFlag = 1;

    /// <summary>Flags bit: every data block carries a CRC-32C of its payload (WITH CHECKSUM); otherwise the field is zero.</summary>
    public const ushort PayloadChecksumsFlag = 2;

    /// <summary>Every defined flag bit.</summary>
    public const ushort KnownFlags = CopyOnlyFlag | PayloadChecksumsFlag;

    /// <summary>
    /// Checks the fixed part's magic, version and lengths and returns the total length, so that the
    /// reader knows how many bytes to gather before <see cref="CheckChecksum"/>.
    /// </summary>
    /// <param name="fixedPart">At least <see cref="FixedLength"/> bytes.</param>
    /// <param name="at">Where the header starts.</param>
    /// <returns>The validated total length.</returns>
    internal static int CheckFixedPart(ReadOnlySpan<byte> fixedPart, StreamLocation at)
    {
        if (BinaryPrimitives.ReadUInt32LittleEndian(fixedPart[MagicOffset..]) != Magic)
        {
            throw at.Fault(BackupStreamError.UnexpectedRecord, "A backup-set header was expected after the media header, but the block does not start with one.");
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[VersionOffset..]);
        ushort fixedLength = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[FixedLengthOffset..]);
        if (version != BackupStreamFormat.Version || fixedLength != FixedLength)
        {
            throw at.Fault(
                BackupStreamError.UnsupportedVersion,
                string.Create(CultureInfo.InvariantCulture, $"The backup-set header has version {version} and fixed length {fixedLength}; this build reads version {BackupStreamFormat.Version}, fixed length {FixedLength}."));
        }

        uint total = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart[TotalLengthOffset..]);
        if (total is < MinTotalLength or > MaxTotalLength)
        {
            throw at.Fault(
                BackupStreamError.InvalidField,
                string.Create(CultureInfo.InvariantCulture, $"The backup-set header declares a length of {total} bytes; it must be {MinTotalLength}..{MaxTotalLength}."));
        }

        return (int)total;
    }

    /// <summary>Checks the trailing CRC-32C of a whole backup-set header.</summary>
    /// <param name="header">Exactly the header's total length.</param>
    /// <param name="at">Where the header starts.</param>
    internal static void CheckChecksum(ReadOnlySpan<byte> header, StreamLocation at)
    {
        int checksumOffset = header.Length - BackupStreamFormat.ChecksumLength;
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(header[checksumOffset..]);
        uint computed = Crc32C.Compute(header[..checksumOffset]);
        if (stored != computed)
        {
            throw at.Fault(
                BackupStreamError.HeaderChecksumMismatch,
                string.Create(CultureInfo.InvariantCulture, $"The backup-set header checksum is 0x{stored:X8} but its bytes give 0x{computed:X8}."));
        }
    }
}
