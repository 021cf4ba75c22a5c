using System.Buffers.Binary;

namespace OpenVdi.Engine.Format;

/// <summary>
/// The media header of one stripe (what RESTORE LABELONLY reports). Layout: <see cref="MediaHeaderDescriptor"/>.
/// </summary>
/// <param name="MediaSetId">The GUID shared by every family of the media set.</param>
/// <param name="FamilyCount">How many families (stripes, devices) the media set has, 1..64.</param>
/// <param name="FamilyNumber">This stripe's 1-based family number.</param>
/// <param name="MediaSequence">The volume number within the family; always 1 (one volume per family).</param>
/// <param name="BlockSize">The BLOCKSIZE of the stripe.</param>
/// <param name="CreationTime">When the media was written (UTC).</param>
public sealed record MediaHeader(
    Guid MediaSetId,
    int FamilyCount,
    int FamilyNumber,
    int MediaSequence,
    int BlockSize,
    DateTimeOffset CreationTime)
{
    /// <summary>Throws <see cref="ArgumentException"/> when a field cannot be written.</summary>
    internal void Validate()
    {
        if (!BackupStreamFormat.IsValidBlockSize(BlockSize))
        {
            throw new ArgumentException($"BLOCKSIZE {BlockSize} is not a power of two from 512 to 65536.", nameof(BlockSize));
        }

        if (FamilyCount is < 1 or > BackupStreamFormat.MaxFamilyCount || FamilyNumber < 1 || FamilyNumber > FamilyCount)
        {
            throw new ArgumentException($"Family {FamilyNumber} of {FamilyCount}: families are numbered 1..count and a media set has 1..64.", nameof(FamilyNumber));
        }

        if (MediaSequence != 1)
        {
            throw new ArgumentException("Only single-volume families (media sequence 1) are written.", nameof(MediaSequence));
        }

        if (!BackupStreamFormat.IsValidTicks(CreationTime.UtcTicks))
        {
            throw new ArgumentException("The creation time is not a valid UTC time.", nameof(CreationTime));
        }
    }

    /// <summary>Writes the header into the first <see cref="MediaHeaderDescriptor.Length"/> bytes of <paramref name="destination"/>.</summary>
    internal void Write(Span<byte> destination)
    {
        Span<byte> header = destination[..MediaHeaderDescriptor.Length];
        header.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(header[MediaHeaderDescriptor.MagicOffset..], MediaHeaderDescriptor.Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[MediaHeaderDescriptor.VersionOffset..], BackupStreamFormat.Version);
        BinaryPrimitives.WriteUInt16LittleEndian(header[MediaHeaderDescriptor.HeaderLengthOffset..], MediaHeaderDescriptor.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[MediaHeaderDescriptor.BlockSizeOffset..], BlockSize);
        MediaSetId.TryWriteBytes(header[MediaHeaderDescriptor.MediaSetIdOffset..]);
        BinaryPrimitives.WriteUInt16LittleEndian(header[MediaHeaderDescriptor.FamilyCountOffset..], (ushort)FamilyCount);
        BinaryPrimitives.WriteUInt16LittleEndian(header[MediaHeaderDescriptor.FamilyNumberOffset..], (ushort)FamilyNumber);
        BinaryPrimitives.WriteUInt32LittleEndian(header[MediaHeaderDescriptor.MediaSequenceOffset..], (uint)MediaSequence);
        BinaryPrimitives.WriteInt64LittleEndian(header[MediaHeaderDescriptor.CreationTimeOffset..], CreationTime.UtcTicks);
        BinaryPrimitives.WriteUInt32LittleEndian(
            header[MediaHeaderDescriptor.ChecksumOffset..],
            Crc32C.Compute(header[..MediaHeaderDescriptor.ChecksumOffset]));
    }

    /// <summary>Checks and reads a media header (<see cref="MediaHeaderDescriptor.CheckHeader"/>).</summary>
    internal static MediaHeader Read(ReadOnlySpan<byte> source, StreamLocation at)
    {
        MediaHeaderDescriptor.CheckHeader(source, at);
        return new MediaHeader(
            new Guid(source.Slice(MediaHeaderDescriptor.MediaSetIdOffset, BackupStreamFormat.GuidLength)),
            BinaryPrimitives.ReadUInt16LittleEndian(source[MediaHeaderDescriptor.FamilyCountOffset..]),
            BinaryPrimitives.ReadUInt16LittleEndian(source[MediaHeaderDescriptor.FamilyNumberOffset..]),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(source[MediaHeaderDescriptor.MediaSequenceOffset..]),
            BinaryPrimitives.ReadInt32LittleEndian(source[MediaHeaderDescriptor.BlockSizeOffset..]),
            new DateTimeOffset(BinaryPrimitives.ReadInt64LittleEndian(source[MediaHeaderDescriptor.CreationTimeOffset..]), TimeSpan.Zero));
    }
}
