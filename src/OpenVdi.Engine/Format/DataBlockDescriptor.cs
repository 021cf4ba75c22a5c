using System.Buffers.Binary;
using System.Globalization;

namespace OpenVdi.Engine.Format;

/// <summary>
/// Layout of a data block: a <see cref="HeaderLength"/>-byte header, then the payload (bytes of one
/// database file), then zeros to the next block boundary. A data block starts on a BLOCKSIZE boundary,
/// is never longer than MAXTRANSFERSIZE, and the writer never splits one across two transfers (a reader
/// copes if its reads are cut differently).
/// <code>
/// offset  size  field
///      0     4  Magic            "OVDB" (0x4244_564F)
///      4     2  HeaderLength     40
///      6     2  FamilyNumber     the stripe's family, 1..64
///      8     8  Sequence         block number within the media set, 0-based, ascending within a stripe
///     16     8  FileOffset       where the payload goes in the file
///     24     4  FileIndex        index into the backup-set header's file list
///     28     4  PayloadLength    1..MAXTRANSFERSIZE-40; FileOffset+PayloadLength ≤ the file's size
///     32     4  PayloadChecksum  CRC-32C of the payload; zero when the set has no payload checksums
///     36     4  HeaderChecksum   CRC-32C of bytes 0..35
///     40     n  Payload
///   40+n     p  zero padding to a BLOCKSIZE multiple
/// </code>
/// </summary>
public static class DataBlockDescriptor
{
    /// <summary>"OVDB" read as a little-endian 32-bit integer.</summary>
    public const uint Magic = 0x4244_564F;

    /// <summary>Offset of the 4-byte magic.</summary>
    public const int MagicOffset = 0;

    /// <summary>Offset of the 2-byte header length.</summary>
    public const int HeaderLengthOffset = MagicOffset + sizeof(uint);

    /// <summary>Offset of the 2-byte family number.</summary>
    public const int FamilyNumberOffset = HeaderLengthOffset + sizeof(ushort);

    /// <summary>Offset of the 8-byte block sequence number.</summary>
    public const int SequenceOffset = FamilyNumberOffset + sizeof(ushort);

    /// <summary>Offset of the 8-byte file offset.</summary>
    public const int FileOffsetOffset = SequenceOffset + sizeof(ulong);

    /// <summary>Offset of the 4-byte file index.</summary>
    public const int FileIndexOffset = FileOffsetOffset + sizeof(long);

    /// <summary>Offset of the 4-byte payload length.</summary>
    public const int PayloadLengthOffset = FileIndexOffset + sizeof(uint);

    /// <summary>Offset of the 4-byte payload checksum.</summary>
    public const int PayloadChecksumOffset = PayloadLengthOffset + sizeof(uint);

    /// <summary>Offset of the 4-byte header checksum.</summary>
    public const int HeaderChecksumOffset = PayloadChecksumOffset + sizeof(uint);

    /// <summary>
    /// Length of the data block header (40 bytes); the payload starts here.
    /// <code>
    ///  0                   1                   2                   3
    ///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |                          Magic "OVDB"                         |  0
    /// |         HeaderLength          |         FamilyNumber          |  4
    /// |                        Sequence (low)                         |  8
    /// |                        Sequence (high)                        | 12
    /// |                       FileOffset (low)                        | 16
    /// |                       FileOffset (high)                       | 20
    /// |                          FileIndex                            | 24
    /// |                        PayloadLength                          | 28
    /// |                       PayloadChecksum                         | 32
    /// |                        HeaderChecksum                         | 36
    /// +---------------------------------------------------------------+
    /// |                     Payload ... zero padding                  | 40
    /// </code>
    /// </summary>
    public const int HeaderLength = HeaderChecksumOffset + BackupStreamFormat.ChecksumLength;

    /// <summary>The stripe bytes a data block with <paramref name="payloadLength"/> bytes of payload occupies.</summary>
    /// <param name="payloadLength">The payload length.</param>
    /// <param name="blockSize">The stripe's BLOCKSIZE.</param>
    /// <returns>Header, payload and padding.</returns>
    public static int BlockLength(int payloadLength, int blockSize) =>
        (int)BackupStreamFormat.AlignUp((long)HeaderLength + payloadLength, blockSize);

    /// <summary>The largest payload a data block may carry under <paramref name="maxTransferSize"/>.</summary>
    /// <param name="maxTransferSize">The backup's MAXTRANSFERSIZE.</param>
    /// <returns>MAXTRANSFERSIZE less the header.</returns>
    public static int MaxPayloadLength(int maxTransferSize) => maxTransferSize - HeaderLength;

    /// <summary>Checks the header length and the header checksum (the magic was checked to dispatch here).</summary>
    /// <param name="header">At least <see cref="HeaderLength"/> bytes.</param>
    /// <param name="at">Where the block starts.</param>
    internal static void CheckHeader(ReadOnlySpan<byte> header, StreamLocation at)
    {
        ushort length = BinaryPrimitives.ReadUInt16LittleEndian(header[HeaderLengthOffset..]);
        if (length != HeaderLength)
        {
            throw at.Fault(BackupStreamError.UnsupportedVersion, string.Create(CultureInfo.InvariantCulture, $"The data block header declares length {length}; this build reads {HeaderLength}."));
        }

        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(header[HeaderChecksumOffset..]);
        uint computed = Crc32C.Compute(header[..HeaderChecksumOffset]);
        if (stored != computed)
        {
            throw at.Fault(
                BackupStreamError.HeaderChecksumMismatch,
                string.Create(CultureInfo.InvariantCulture, $"The data block header checksum is 0x{stored:X8} but its bytes give 0x{computed:X8}."));
        }
    }
}
