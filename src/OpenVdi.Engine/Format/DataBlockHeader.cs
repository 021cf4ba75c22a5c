using System.Buffers.Binary;

namespace OpenVdi.Engine.Format;

/// <summary>
/// A parsed and validated data block header, handed to <see cref="IStripeVisitor.OnDataBlock"/> with its
/// payload. Layout: <see cref="DataBlockDescriptor"/>.
/// </summary>
/// <param name="FamilyNumber">The stripe's family.</param>
/// <param name="Sequence">The block's number within the media set.</param>
/// <param name="FileIndex">Index into <see cref="BackupSetHeader.Files"/>.</param>
/// <param name="FileOffset">Where the payload goes in the file.</param>
/// <param name="PayloadLength">Payload bytes.</param>
/// <param name="PayloadChecksum">CRC-32C of the payload, or 0 when the set has no payload checksums.</param>
/// <param name="HeaderChecksum">CRC-32C of the header; the trailer's digest is taken over these.</param>
/// <param name="StreamOffset">Where the block starts in its stripe.</param>
public readonly record struct DataBlockHeader(
    int FamilyNumber,
    long Sequence,
    int FileIndex,
    long FileOffset,
    int PayloadLength,
    uint PayloadChecksum,
    uint HeaderChecksum,
    long StreamOffset)
{
    /// <summary>Writes the header, checksum included, and returns the header checksum.</summary>
    internal static uint Write(Span<byte> destination, int familyNumber, in DataExtent extent, uint payloadChecksum)
    {
        Span<byte> header = destination[..DataBlockDescriptor.HeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(header[DataBlockDescriptor.MagicOffset..], DataBlockDescriptor.Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[DataBlockDescriptor.HeaderLengthOffset..], DataBlockDescriptor.HeaderLength);
        BinaryPrimitives.WriteUInt16LittleEndian(header[DataBlockDescriptor.FamilyNumberOffset..], (ushort)familyNumber);
        BinaryPrimitives.WriteInt64LittleEndian(header[DataBlockDescriptor.SequenceOffset..], extent.Sequence);
        BinaryPrimitives.WriteInt64LittleEndian(header[DataBlockDescriptor.FileOffsetOffset..], extent.FileOffset);
        BinaryPrimitives.WriteInt32LittleEndian(header[DataBlockDescriptor.FileIndexOffset..], extent.FileIndex);
        BinaryPrimitives.WriteInt32LittleEndian(header[DataBlockDescriptor.PayloadLengthOffset..], extent.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[DataBlockDescriptor.PayloadChecksumOffset..], payloadChecksum);
        uint headerChecksum = Crc32C.Compute(header[..DataBlockDescriptor.HeaderChecksumOffset]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[DataBlockDescriptor.HeaderChecksumOffset..], headerChecksum);
        return headerChecksum;
    }

    /// <summary>
    /// Reads the fields of a header whose length and checksum <see cref="DataBlockDescriptor.CheckHeader"/>
    /// accepted. Field ranges are the reader's to check, against the set header.
    /// </summary>
    internal static DataBlockHeader Read(ReadOnlySpan<byte> header, long streamOffset)
    {
        // Sequence and sizes are read as signed: a hostile value with the top bit set becomes negative
        // and fails the reader's range checks instead of wrapping.
        return new DataBlockHeader(
            BinaryPrimitives.ReadUInt16LittleEndian(header[DataBlockDescriptor.FamilyNumberOffset..]),
            BinaryPrimitives.ReadInt64LittleEndian(header[DataBlockDescriptor.SequenceOffset..]),
            BinaryPrimitives.ReadInt32LittleEndian(header[DataBlockDescriptor.FileIndexOffset..]),
            BinaryPrimitives.ReadInt64LittleEndian(header[DataBlockDescriptor.FileOffsetOffset..]),
            BinaryPrimitives.ReadInt32LittleEndian(header[DataBlockDescriptor.PayloadLengthOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(header[DataBlockDescriptor.PayloadChecksumOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(header[DataBlockDescriptor.HeaderChecksumOffset..]),
            streamOffset);
    }
}
