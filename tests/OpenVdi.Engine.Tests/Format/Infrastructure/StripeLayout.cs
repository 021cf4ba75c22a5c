using System.Buffers.Binary;
using OpenVdi.Engine.Format;

namespace OpenVdi.Engine.Tests.Format.Infrastructure;

/// <summary>
/// Walks a well-formed stripe to find where its structures are, and re-seals checksums after a test
/// forges a field, so that hostile values reach the checks behind the checksums.
/// </summary>
public sealed class StripeLayout
{
    public StripeLayout(byte[] stripe)
    {
        BlockSize = BinaryPrimitives.ReadInt32LittleEndian(stripe.AsSpan(MediaHeaderDescriptor.BlockSizeOffset));
        SetHeaderOffset = BlockSize;
        SetHeaderLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(stripe.AsSpan(SetHeaderOffset + BackupSetHeaderDescriptor.TotalLengthOffset));
        int offset = (int)(SetHeaderOffset + BackupStreamFormat.AlignUp(SetHeaderLength, BlockSize));
        while (BinaryPrimitives.ReadUInt32LittleEndian(stripe.AsSpan(offset)) == DataBlockDescriptor.Magic)
        {
            DataBlocks.Add(offset);
            int payload = BinaryPrimitives.ReadInt32LittleEndian(stripe.AsSpan(offset + DataBlockDescriptor.PayloadLengthOffset));
            offset += DataBlockDescriptor.BlockLength(payload, BlockSize);
        }

        TrailerOffset = offset;
    }

    public int BlockSize { get; }

    public int SetHeaderOffset { get; }

    public int SetHeaderLength { get; }

    public List<int> DataBlocks { get; } = [];

    public int TrailerOffset { get; }

    /// <summary>The structure containing <paramref name="position"/>: its start offset.</summary>
    public int StructureStart(int position)
    {
        if (position < SetHeaderOffset)
        {
            return 0;
        }

        int start = SetHeaderOffset;
        foreach (int block in DataBlocks)
        {
            if (block <= position)
            {
                start = block;
            }
        }

        return position >= TrailerOffset ? TrailerOffset : start;
    }

    public static void ResealMediaHeader(byte[] stripe) =>
        Reseal(stripe, 0, MediaHeaderDescriptor.ChecksumOffset);

    public void ResealSetHeader(byte[] stripe, int? totalLength = null) =>
        Reseal(stripe, SetHeaderOffset, (totalLength ?? SetHeaderLength) - BackupStreamFormat.ChecksumLength);

    public static void ResealDataBlock(byte[] stripe, int offset) =>
        Reseal(stripe, offset, DataBlockDescriptor.HeaderChecksumOffset);

    public void ResealTrailer(byte[] stripe) =>
        Reseal(stripe, TrailerOffset, StripeTrailerDescriptor.ChecksumOffset);

    private static void Reseal(byte[] stripe, int start, int checksumOffset) =>
        BinaryPrimitives.WriteUInt32LittleEndian(
            stripe.AsSpan(start + checksumOffset),
            Crc32C.Compute(stripe.AsSpan(start, checksumOffset)));
}
