using System.Buffers.Binary;

namespace OpenVdi.Engine.Format;

/// <summary>The trailer of one stripe. Layout: <see cref="StripeTrailerDescriptor"/>.</summary>
/// <param name="FamilyNumber">The stripe's family.</param>
/// <param name="MediaSetId">The stripe's media set.</param>
/// <param name="BlockCount">Data blocks in the stripe.</param>
/// <param name="PayloadBytes">Sum of their payload lengths.</param>
/// <param name="StripeLength">Offset of the trailer, i.e. the stripe's length before it.</param>
/// <param name="FinishTime">When the stripe was finished (UTC).</param>
/// <param name="BlockDigest">CRC-32C over the blocks' header checksums in stripe order.</param>
public sealed record StripeTrailer(
    int FamilyNumber,
    Guid MediaSetId,
    long BlockCount,
    long PayloadBytes,
    long StripeLength,
    DateTimeOffset FinishTime,
    uint BlockDigest)
{
    /// <summary>Writes the trailer into the first <see cref="StripeTrailerDescriptor.Length"/> bytes.</summary>
    internal void Write(Span<byte> destination)
    {
        Span<byte> trailer = destination[..StripeTrailerDescriptor.Length];
        trailer.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[StripeTrailerDescriptor.MagicOffset..], StripeTrailerDescriptor.Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(trailer[StripeTrailerDescriptor.HeaderLengthOffset..], StripeTrailerDescriptor.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(trailer[StripeTrailerDescriptor.FamilyNumberOffset..], (ushort)FamilyNumber);
        MediaSetId.TryWriteBytes(trailer[StripeTrailerDescriptor.MediaSetIdOffset..]);
        BinaryPrimitives.WriteInt64LittleEndian(trailer[StripeTrailerDescriptor.BlockCountOffset..], BlockCount);
        BinaryPrimitives.WriteInt64LittleEndian(trailer[StripeTrailerDescriptor.PayloadBytesOffset..], PayloadBytes);
        BinaryPrimitives.WriteInt64LittleEndian(trailer[StripeTrailerDescriptor.StripeLengthOffset..], StripeLength);
        BinaryPrimitives.WriteInt64LittleEndian(trailer[StripeTrailerDescriptor.FinishTimeOffset..], FinishTime.UtcTicks);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[StripeTrailerDescriptor.BlockDigestOffset..], BlockDigest);
        BinaryPrimitives.WriteUInt64LittleEndian(trailer[StripeTrailerDescriptor.EndMarkerOffset..], StripeTrailerDescriptor.EndMarker);
        BinaryPrimitives.WriteUInt32LittleEndian(
            trailer[StripeTrailerDescriptor.ChecksumOffset..],
            Crc32C.Compute(trailer[..StripeTrailerDescriptor.ChecksumOffset]));
    }

    /// <summary>Checks and reads a trailer; agreement with the stripe is the reader's to check.</summary>
    internal static StripeTrailer Read(ReadOnlySpan<byte> source, StreamLocation at)
    {
        StripeTrailerDescriptor.CheckTrailer(source, at);
        return new StripeTrailer(
            BinaryPrimitives.ReadUInt16LittleEndian(source[StripeTrailerDescriptor.FamilyNumberOffset..]),
            new Guid(source.Slice(StripeTrailerDescriptor.MediaSetIdOffset, BackupStreamFormat.GuidLength)),
            BinaryPrimitives.ReadInt64LittleEndian(source[StripeTrailerDescriptor.BlockCountOffset..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[StripeTrailerDescriptor.PayloadBytesOffset..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[StripeTrailerDescriptor.StripeLengthOffset..]),
            new DateTimeOffset(BinaryPrimitives.ReadInt64LittleEndian(source[StripeTrailerDescriptor.FinishTimeOffset..]), TimeSpan.Zero),
            BinaryPrimitives.ReadUInt32LittleEndian(source[StripeTrailerDescriptor.BlockDigestOffset..]));
    }
}
