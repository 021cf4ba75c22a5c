using System.Buffers.Binary;
using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Format;
using OpenVdi.Engine.Tests.Format.Infrastructure;

namespace OpenVdi.Engine.Tests.Format;

/// <summary>
/// Forged fields behind valid checksums: every length, index, offset and count is checked before use, and
/// the answer is always a <see cref="BackupStreamException"/>, never an out-of-range access.
/// </summary>
public sealed class HostileStreamTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly byte[] _stripe;
    private readonly StripeLayout _layout;

    public HostileStreamTests()
    {
        var catalogue = new DatabaseCatalogue(_temp.Combine("data"));
        SampleDatabase.Create(catalogue.DataDirectory, "bank", 256 * 1024 + 17, seed: 3);
        _stripe = BackupHarness.Backup(catalogue, "bank", 1, blockSize: 512, maxTransferSize: 16384)[0];
        _layout = new StripeLayout(_stripe);
    }

    public void Dispose() => _temp.Dispose();

    public static TheoryData<int, long> BlockHeaderForgeries => new()
    {
        { DataBlockDescriptor.PayloadLengthOffset, int.MaxValue },
        { DataBlockDescriptor.PayloadLengthOffset, -1 },
        { DataBlockDescriptor.PayloadLengthOffset, 0 },
        { DataBlockDescriptor.PayloadLengthOffset, 16384 },
        { DataBlockDescriptor.FileIndexOffset, 2 },
        { DataBlockDescriptor.FileIndexOffset, -1 },
        { DataBlockDescriptor.FileIndexOffset, int.MaxValue },
        { DataBlockDescriptor.FileOffsetOffset, -8192 },
        { DataBlockDescriptor.FileOffsetOffset, long.MaxValue },
        { DataBlockDescriptor.FileOffsetOffset, long.MinValue },
        { DataBlockDescriptor.FileOffsetOffset, 1L << 40 },
        { DataBlockDescriptor.FamilyNumberOffset, 2 },
    };

    [Theory]
    [MemberData(nameof(BlockHeaderForgeries))]
    public void A_forged_block_field_is_refused_as_invalid(int field, long value)
    {
        int block = _layout.DataBlocks[1];
        WriteField(block + field, field, value);
        StripeLayout.ResealDataBlock(_stripe, block);

        var error = ReadAlone();

        Assert.Equal(BackupStreamError.InvalidField, error.Error);
        Assert.Equal(block, error.StreamOffset);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(long.MinValue)]
    public void A_forged_sequence_that_goes_backwards_is_refused(long sequence)
    {
        int block = _layout.DataBlocks[3];
        BinaryPrimitives.WriteInt64LittleEndian(_stripe.AsSpan(block + DataBlockDescriptor.SequenceOffset), sequence);
        StripeLayout.ResealDataBlock(_stripe, block);

        var error = ReadAlone();

        Assert.Equal(BackupStreamError.OutOfOrderBlock, error.Error);
    }

    [Fact]
    public void A_forged_block_header_length_is_refused()
    {
        int block = _layout.DataBlocks[0];
        BinaryPrimitives.WriteUInt16LittleEndian(_stripe.AsSpan(block + DataBlockDescriptor.HeaderLengthOffset), 60000);
        StripeLayout.ResealDataBlock(_stripe, block);

        Assert.Equal(BackupStreamError.UnsupportedVersion, ReadAlone().Error);
    }

    [Fact]
    public void An_unknown_record_where_a_block_belongs_is_refused()
    {
        int block = _layout.DataBlocks[2];
        BinaryPrimitives.WriteUInt32LittleEndian(_stripe.AsSpan(block), 0xDEADBEEF);

        var error = ReadAlone();

        Assert.Equal(BackupStreamError.UnexpectedRecord, error.Error);
        Assert.Equal(block, error.StreamOffset);
    }

    [Theory]
    [InlineData(uint.MaxValue)]
    [InlineData(BackupSetHeaderDescriptor.MaxTotalLength + 1u)]
    [InlineData(10u)]
    public void A_forged_set_header_length_is_refused_before_any_allocation(uint totalLength)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_stripe.AsSpan(_layout.SetHeaderOffset + BackupSetHeaderDescriptor.TotalLengthOffset), totalLength);

        var error = ReadAlone();

        Assert.Equal(BackupStreamError.InvalidField, error.Error);
        Assert.Equal(_layout.SetHeaderOffset, error.StreamOffset);
    }

    [Fact]
    public void A_set_header_length_longer_than_the_stripe_is_truncated_not_a_crash()
    {
        uint forged = 3 * 1024 * 1024;
        BinaryPrimitives.WriteUInt32LittleEndian(_stripe.AsSpan(_layout.SetHeaderOffset + BackupSetHeaderDescriptor.TotalLengthOffset), forged);

        var error = ReadAlone();

        Assert.Equal(BackupStreamError.Truncated, error.Error);
    }

    public static TheoryData<int, long> SetHeaderForgeries => new()
    {
        { BackupSetHeaderDescriptor.FileCountOffset, 0 },
        { BackupSetHeaderDescriptor.FileCountOffset, 3 },
        { BackupSetHeaderDescriptor.FileCountOffset, uint.MaxValue },
        { BackupSetHeaderDescriptor.DatabaseNameLengthOffset, ushort.MaxValue },
        { BackupSetHeaderDescriptor.DatabaseNameLengthOffset, 0 },
        { BackupSetHeaderDescriptor.DatabaseNameLengthOffset, 400 },
        { BackupSetHeaderDescriptor.DescriptionLengthOffset, 900 },
        { BackupSetHeaderDescriptor.TotalDataBytesOffset, 1 },
        { BackupSetHeaderDescriptor.BackupTypeOffset, 3 },
        { BackupSetHeaderDescriptor.FlagsOffset, 0x80 },
        { BackupSetHeaderDescriptor.BlockSizeOffset, 1000 },
        { BackupSetHeaderDescriptor.MaxTransferSizeOffset, 1000 },
        { BackupSetHeaderDescriptor.MaxTransferSizeOffset, int.MaxValue },
        { BackupSetHeaderDescriptor.StartTimeOffset, -1 },
        { BackupSetHeaderDescriptor.Reserved1Offset, 7 },
    };

    [Theory]
    [MemberData(nameof(SetHeaderForgeries))]
    public void A_forged_set_header_field_is_refused(int field, long value)
    {
        WriteField(_layout.SetHeaderOffset + field, field, value, setHeader: true);
        _layout.ResealSetHeader(_stripe);

        var error = ReadAlone();

        Assert.Equal(BackupStreamError.InvalidField, error.Error);
        Assert.Equal(_layout.SetHeaderOffset, error.StreamOffset);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("dir\\file")]
    [InlineData("c:file")]
    [InlineData("./x")]
    public void A_file_path_that_could_escape_the_target_directory_is_refused(string forged)
    {
        // Rewrite the first file's path in place: the forgery must keep the same length.
        int firstEntry = _layout.SetHeaderOffset + BackupSetHeaderDescriptor.FixedLength
            + BinaryPrimitives.ReadUInt16LittleEndian(_stripe.AsSpan(_layout.SetHeaderOffset + BackupSetHeaderDescriptor.DatabaseNameLengthOffset))
            + BinaryPrimitives.ReadUInt16LittleEndian(_stripe.AsSpan(_layout.SetHeaderOffset + BackupSetHeaderDescriptor.NameLengthOffset))
            + BinaryPrimitives.ReadUInt16LittleEndian(_stripe.AsSpan(_layout.SetHeaderOffset + BackupSetHeaderDescriptor.DescriptionLengthOffset));
        int logicalLength = BinaryPrimitives.ReadUInt16LittleEndian(_stripe.AsSpan(firstEntry + BackupFileEntryDescriptor.LogicalNameLengthOffset));
        int pathLength = BinaryPrimitives.ReadUInt16LittleEndian(_stripe.AsSpan(firstEntry + BackupFileEntryDescriptor.PathLengthOffset));
        string padded = forged.PadRight(pathLength, 'x')[..pathLength];
        System.Text.Encoding.ASCII.GetBytes(padded).CopyTo(_stripe, firstEntry + BackupFileEntryDescriptor.FixedLength + logicalLength);
        _layout.ResealSetHeader(_stripe);

        var error = ReadAlone();

        Assert.Equal(BackupStreamError.InvalidField, error.Error);
        Assert.Contains("safe relative path", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MediaHeaderDescriptor.BlockSizeOffset, 1000)]
    [InlineData(MediaHeaderDescriptor.BlockSizeOffset, 256)]
    [InlineData(MediaHeaderDescriptor.BlockSizeOffset, 1 << 20)]
    [InlineData(MediaHeaderDescriptor.FamilyCountOffset, 0)]
    [InlineData(MediaHeaderDescriptor.FamilyCountOffset, 65)]
    [InlineData(MediaHeaderDescriptor.FamilyNumberOffset, 0)]
    [InlineData(MediaHeaderDescriptor.FamilyNumberOffset, 2)]
    [InlineData(MediaHeaderDescriptor.MediaSequenceOffset, 2)]
    [InlineData(MediaHeaderDescriptor.CreationTimeOffset, 0)]
    [InlineData(MediaHeaderDescriptor.ReservedOffset, 1)]
    public void A_forged_media_header_field_is_refused(int field, long value)
    {
        WriteMediaField(field, value);
        StripeLayout.ResealMediaHeader(_stripe);

        var error = ReadAlone();

        Assert.Equal(BackupStreamError.InvalidField, error.Error);
        Assert.Equal(0, error.StreamOffset);
    }

    [Fact]
    public void A_forged_version_is_refused_as_unsupported()
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_stripe.AsSpan(MediaHeaderDescriptor.VersionOffset), 2);
        StripeLayout.ResealMediaHeader(_stripe);

        Assert.Equal(BackupStreamError.UnsupportedVersion, ReadAlone().Error);
    }

    [Theory]
    [InlineData(StripeTrailerDescriptor.BlockCountOffset, 1L)]
    [InlineData(StripeTrailerDescriptor.BlockCountOffset, -1L)]
    [InlineData(StripeTrailerDescriptor.PayloadBytesOffset, 0L)]
    [InlineData(StripeTrailerDescriptor.StripeLengthOffset, 512L)]
    [InlineData(StripeTrailerDescriptor.BlockDigestOffset, 0L)]
    [InlineData(StripeTrailerDescriptor.FamilyNumberOffset, 9L)]
    public void A_forged_trailer_that_disagrees_with_the_stripe_is_refused(int field, long value)
    {
        int trailer = _layout.TrailerOffset;
        switch (field)
        {
            case StripeTrailerDescriptor.BlockDigestOffset:
                BinaryPrimitives.WriteUInt32LittleEndian(_stripe.AsSpan(trailer + field), (uint)value);
                break;
            case StripeTrailerDescriptor.FamilyNumberOffset:
                BinaryPrimitives.WriteUInt16LittleEndian(_stripe.AsSpan(trailer + field), (ushort)value);
                break;
            default:
                BinaryPrimitives.WriteInt64LittleEndian(_stripe.AsSpan(trailer + field), value);
                break;
        }

        _layout.ResealTrailer(_stripe);

        var error = ReadAlone();

        Assert.Equal(BackupStreamError.TrailerMismatch, error.Error);
        Assert.Equal(trailer, error.StreamOffset);
    }

    [Fact]
    public void Random_garbage_and_random_forgeries_only_ever_give_stream_errors()
    {
        var random = new Random(77);
        for (int trial = 0; trial < 400; trial++)
        {
            byte[] stripe = trial % 4 == 0 ? RandomBytes(random, random.Next(0, 20_000)) : Forge((byte[])_stripe.Clone(), random);
            try
            {
                var reader = new StripeReader();
                for (int offset = 0; offset < stripe.Length && !reader.IsComplete; offset += 512)
                {
                    reader.Consume(stripe.AsSpan(offset, Math.Min(512, stripe.Length - offset)));
                }

                reader.Complete();
            }
            catch (BackupStreamException)
            {
                // The expected outcome for a damaged stripe.
            }
        }
    }

    private byte[] Forge(byte[] stripe, Random random)
    {
        // Scribble random values over a random field of a random structure and re-seal its checksum.
        var layout = _layout;
        switch (random.Next(4))
        {
            case 0:
                random.NextBytes(stripe.AsSpan(8, MediaHeaderDescriptor.ChecksumOffset - 8));
                StripeLayout.ResealMediaHeader(stripe);
                break;
            case 1:
                random.NextBytes(stripe.AsSpan(layout.SetHeaderOffset + 8 + random.Next(layout.SetHeaderLength - 12), 1 + random.Next(3)));
                layout.ResealSetHeader(stripe);
                break;
            case 2:
                int block = layout.DataBlocks[random.Next(layout.DataBlocks.Count)];
                random.NextBytes(stripe.AsSpan(block + 6 + random.Next(DataBlockDescriptor.HeaderChecksumOffset - 9), 1 + random.Next(3)));
                StripeLayout.ResealDataBlock(stripe, block);
                break;
            default:
                random.NextBytes(stripe.AsSpan(layout.TrailerOffset + 6 + random.Next(StripeTrailerDescriptor.ChecksumOffset - 9), 1 + random.Next(3)));
                layout.ResealTrailer(stripe);
                break;
        }

        return stripe;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private BackupStreamException ReadAlone() =>
        Assert.Throws<BackupStreamException>(() => BackupHarness.Read([_stripe], readSize: _ => 512));

    private void WriteField(int position, int field, long value, bool setHeader = false)
    {
        int width = setHeader
            ? field switch
            {
                BackupSetHeaderDescriptor.StartTimeOffset or BackupSetHeaderDescriptor.TotalDataBytesOffset => 8,
                BackupSetHeaderDescriptor.DatabaseNameLengthOffset or BackupSetHeaderDescriptor.NameLengthOffset
                    or BackupSetHeaderDescriptor.DescriptionLengthOffset or BackupSetHeaderDescriptor.BackupTypeOffset
                    or BackupSetHeaderDescriptor.FlagsOffset => 2,
                _ => 4,
            }
            : field switch
            {
                DataBlockDescriptor.FileOffsetOffset or DataBlockDescriptor.SequenceOffset => 8,
                DataBlockDescriptor.FamilyNumberOffset => 2,
                _ => 4,
            };
        Write(position, width, value);
    }

    private void WriteMediaField(int field, long value)
    {
        int width = field switch
        {
            MediaHeaderDescriptor.CreationTimeOffset => 8,
            MediaHeaderDescriptor.FamilyCountOffset or MediaHeaderDescriptor.FamilyNumberOffset => 2,
            _ => 4,
        };
        Write(field, width, value);
    }

    private void Write(int position, int width, long value)
    {
        switch (width)
        {
            case 8:
                BinaryPrimitives.WriteInt64LittleEndian(_stripe.AsSpan(position), value);
                break;
            case 2:
                BinaryPrimitives.WriteUInt16LittleEndian(_stripe.AsSpan(position), (ushort)value);
                break;
            default:
                BinaryPrimitives.WriteUInt32LittleEndian(_stripe.AsSpan(position), (uint)value);
                break;
        }
    }
}
