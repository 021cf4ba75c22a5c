using System.Buffers.Binary;
using System.Globalization;

namespace OpenVdi.Engine.Format;

/// <summary>
/// Layout of the stripe trailer, the last block of every stripe. It proves the stripe is whole: the
/// number of data blocks, their payload bytes, where the trailer sits, and a digest over the blocks'
/// header checksums (each of which covers that block's payload checksum), so a lost, repeated or
/// reordered block is caught even when every block is individually sound.
/// <code>
/// offset  size  field
///      0     4  Magic          "OVTR" (0x5254_564F)
///      4     2  HeaderLength   76
///      6     2  FamilyNumber   the stripe's family
///      8    16  MediaSetId     the stripe's media set
///     24     8  BlockCount     data blocks in the stripe
///     32     8  PayloadBytes   sum of their payload lengths
///     40     8  StripeLength   offset of this trailer = stripe bytes before it
///     48     8  FinishTime     UTC ticks when the stripe was finished
///     56     4  BlockDigest    CRC-32C over the blocks' HeaderChecksum fields (4 bytes LE each), in stripe order
///     60     4  Reserved       zero
///     64     8  EndMarker      "OVDI-END" (0x444E_452D_4944_564F)
///     72     4  Checksum       CRC-32C of bytes 0..71
/// </code>
/// </summary>
public static class StripeTrailerDescriptor
{
    /// <summary>"OVTR" read as a little-endian 32-bit integer.</summary>
    public const uint Magic = 0x5254_564F;

    /// <summary>"OVDI-END" read as a little-endian 64-bit integer.</summary>
    public const ulong EndMarker = 0x444E_452D_4944_564F;

    /// <summary>Offset of the 4-byte magic.</summary>
    public const int MagicOffset = 0;

    /// <summary>Offset of the 2-byte header length.</summary>
    public const int HeaderLengthOffset = MagicOffset + sizeof(uint);

    /// <summary>Offset of the 2-byte family number.</summary>
    public const int FamilyNumberOffset = HeaderLengthOffset + sizeof(ushort);

    /// <summary>Offset of the 16-byte media set GUID.</summary>
    public const int MediaSetIdOffset = FamilyNumberOffset + sizeof(ushort);

    /// <summary>Offset of the 8-byte block count.</summary>
    public const int BlockCountOffset = MediaSetIdOffset + BackupStreamFormat.GuidLength;

    /// <summary>Offset of the 8-byte payload byte count.</summary>
    public const int PayloadBytesOffset = BlockCountOffset + sizeof(long);

    /// <summary>Offset of the 8-byte stripe length (the trailer's own offset).</summary>
    public const int StripeLengthOffset = PayloadBytesOffset + sizeof(long);

    /// <summary>Offset of the 8-byte finish time.</summary>
    public const int FinishTimeOffset = StripeLengthOffset + sizeof(long);

    /// <summary>Offset of the 4-byte block digest.</summary>
    public const int BlockDigestOffset = FinishTimeOffset + sizeof(long);

    /// <summary>Offset of 4 reserved bytes, which are zero.</summary>
    public const int ReservedOffset = BlockDigestOffset + sizeof(uint);

    /// <summary>Offset of the 8-byte end marker.</summary>
    public const int EndMarkerOffset = ReservedOffset + sizeof(uint);

    /// <summary>Offset of the 4-byte trailer checksum.</summary>
    public const int ChecksumOffset = EndMarkerOffset + sizeof(ulong);

    /// <summary>
    /// Length of the trailer (76 bytes); the rest of its block is zero.
    /// <code>
    ///  0                   1                   2                   3
    ///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |                          Magic "OVTR"                         |  0
    /// |         HeaderLength          |         FamilyNumber          |  4
    /// |                     MediaSetId (16 bytes)                     |  8..23
    /// |                       BlockCount (low)                        | 24
    /// |                       BlockCount (high)                       | 28
    /// |                      PayloadBytes (low)                       | 32
    /// |                      PayloadBytes (high)                      | 36
    /// |                      StripeLength (low)                       | 40
    /// |                      StripeLength (high)                      | 44
    /// |                       FinishTime (low)                        | 48
    /// |                       FinishTime (high)                       | 52
    /// |                         BlockDigest                           | 56
    /// |                       Reserved (zero)                         | 60
    /// |                     EndMarker "OVDI"                          | 64
    /// |                     EndMarker "-END"                          | 68
    /// |                          Checksum                             | 72
    /// +---------------------------------------------------------------+
    /// </code>
    /// </summary>
    public const int Length = ChecksumOffset + BackupStreamFormat.ChecksumLength;

    /// <summary>Checks length, checksum, end marker and reserved bytes (the magic was checked to dispatch here).</summary>
    /// <param name="trailer">At least <see cref="Length"/> bytes.</param>
    /// <param name="at">Where the trailer starts.</param>
    internal static void CheckTrailer(ReadOnlySpan<byte> trailer, StreamLocation at)
    {
        ushort length = BinaryPrimitives.ReadUInt16LittleEndian(trailer[HeaderLengthOffset..]);
        if (length != Length)
        {
            throw at.Fault(BackupStreamError.UnsupportedVersion, string.Create(CultureInfo.InvariantCulture, $"The stripe trailer declares length {length}; this build reads {Length}."));
        }

        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(trailer[ChecksumOffset..]);
        uint computed = Crc32C.Compute(trailer[..ChecksumOffset]);
        if (stored != computed)
        {
            throw at.Fault(
                BackupStreamError.HeaderChecksumMismatch,
                string.Create(CultureInfo.InvariantCulture, $"The stripe trailer checksum is 0x{stored:X8} but its bytes give 0x{computed:X8}."));
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(trailer[EndMarkerOffset..]) != EndMarker
            || BinaryPrimitives.ReadUInt32LittleEndian(trailer[ReservedOffset..]) != 0)
        {
            throw at.Fault(BackupStreamError.InvalidField, "The stripe trailer's end marker or reserved field is wrong.");
        }

        if (!BackupStreamFormat.IsValidTicks(BinaryPrimitives.ReadInt64LittleEndian(trailer[FinishTimeOffset..])))
        {
            throw at.Fault(BackupStreamError.InvalidField, "The stripe trailer's finish time is not a valid UTC time.");
        }
    }
}
