using System.Buffers.Binary;
using OpenVdi.Engine.Format;

namespace OpenVdi.Cli.Client;

/// <summary>
/// Reads the BLOCKSIZE and MAXTRANSFERSIZE a backup was written with, and its kind, from the start of one of its stripes
/// (the media header and the backup-set header, docs/backup-stream.md), so that RESTORE can ask for the same, as it
/// must, and a log backup is restored with RESTORE LOG.
/// </summary>
internal static class StripeProbe
{
    /// <summary>What the stripe's headers say; null when the file does not start with a valid media header.</summary>
    public static StripeGeometry? Read(StripeFileReader stripe)
    {
        using var file = File.OpenHandle(stripe.Path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> media = stackalloc byte[BackupStreamFormat.MinBlockSize];
        if (RandomAccess.Read(file, media, 0) < MediaHeaderDescriptor.Length
            || BinaryPrimitives.ReadUInt64LittleEndian(media[MediaHeaderDescriptor.MagicOffset..]) != MediaHeaderDescriptor.Magic
            || BinaryPrimitives.ReadUInt32LittleEndian(media[MediaHeaderDescriptor.ChecksumOffset..]) != Crc32C.Compute(media[..MediaHeaderDescriptor.ChecksumOffset]))
        {
            return null;
        }

        int blockSize = BinaryPrimitives.ReadInt32LittleEndian(media[MediaHeaderDescriptor.BlockSizeOffset..]);
        int families = BinaryPrimitives.ReadUInt16LittleEndian(media[MediaHeaderDescriptor.FamilyCountOffset..]);
        if (!BackupStreamFormat.IsValidBlockSize(blockSize))
        {
            return null;
        }

        Span<byte> set = stackalloc byte[BackupSetHeaderDescriptor.MaxTransferSizeOffset + sizeof(int)];
        int? maxTransferSize = null;
        BackupType? type = null;
        if (RandomAccess.Read(file, set, MediaHeaderDescriptor.SetHeaderOffset(blockSize)) == set.Length
            && BinaryPrimitives.ReadUInt32LittleEndian(set[BackupSetHeaderDescriptor.MagicOffset..]) == BackupSetHeaderDescriptor.Magic)
        {
            int value = BinaryPrimitives.ReadInt32LittleEndian(set[BackupSetHeaderDescriptor.MaxTransferSizeOffset..]);
            maxTransferSize = BackupStreamFormat.IsValidMaxTransferSize(value, blockSize) ? value : null;
            var kind = (BackupType)BinaryPrimitives.ReadUInt16LittleEndian(set[BackupSetHeaderDescriptor.BackupTypeOffset..]);
            type = kind is BackupType.Database or BackupType.Differential or BackupType.Log ? kind : null;
        }

        return new StripeGeometry(blockSize, maxTransferSize, families, type);
    }
}
