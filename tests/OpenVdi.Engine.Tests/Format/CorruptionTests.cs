using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Format;
using OpenVdi.Engine.Tests.Format.Infrastructure;

namespace OpenVdi.Engine.Tests.Format;

/// <summary>A damaged byte anywhere in any stripe is found, and reported with its family and place.</summary>
public sealed class CorruptionTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly DatabaseCatalogue _catalogue;
    private readonly byte[][] _stripes;

    public CorruptionTests()
    {
        _catalogue = new DatabaseCatalogue(_temp.Combine("data"));
        SampleDatabase.Create(_catalogue.DataDirectory, "payroll", 1024 * 1024 + 333, seed: 5);
        _stripes = BackupHarness.Backup(_catalogue, "payroll", 3, blockSize: 1024, maxTransferSize: 65536);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_undamaged_media_set_verifies()
    {
        Assert.Null(BackupHarness.Verify(_stripes));
    }

    [Fact]
    public void A_flipped_payload_byte_is_reported_with_family_and_block_offset()
    {
        var layout = new StripeLayout(_stripes[1]);
        int block = layout.DataBlocks[layout.DataBlocks.Count / 2];
        _stripes[1][block + DataBlockDescriptor.HeaderLength + 1000] ^= 0x40;

        var error = BackupHarness.Verify(_stripes);

        Assert.NotNull(error);
        Assert.Equal(BackupStreamError.PayloadChecksumMismatch, error.Error);
        Assert.Equal(2, error.FamilyNumber);
        Assert.Equal(block, error.StreamOffset);
        Assert.True(error.IsCorruption);
        Assert.Contains("family 2", error.Message, StringComparison.Ordinal);
        Assert.Contains($"stream offset {block}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DataBlockDescriptor.SequenceOffset)]
    [InlineData(DataBlockDescriptor.FileOffsetOffset)]
    [InlineData(DataBlockDescriptor.PayloadLengthOffset + 3)]
    [InlineData(DataBlockDescriptor.HeaderChecksumOffset)]
    public void A_flipped_block_header_byte_fails_the_header_checksum(int field)
    {
        var layout = new StripeLayout(_stripes[0]);
        int block = layout.DataBlocks[1];
        _stripes[0][block + field] ^= 0x01;

        var error = BackupHarness.Verify(_stripes);

        Assert.NotNull(error);
        Assert.Equal(BackupStreamError.HeaderChecksumMismatch, error.Error);
        Assert.Equal(1, error.FamilyNumber);
        Assert.Equal(block, error.StreamOffset);
    }

    [Fact]
    public void A_flipped_byte_in_the_media_header_is_found_before_the_family_is_known()
    {
        _stripes[2][MediaHeaderDescriptor.FamilyNumberOffset] ^= 0x02;

        var error = BackupHarness.Verify(_stripes);

        Assert.NotNull(error);
        Assert.Equal(BackupStreamError.HeaderChecksumMismatch, error.Error);
        Assert.Equal(0, error.FamilyNumber);
        Assert.Equal(0, error.StreamOffset);
    }

    [Fact]
    public void A_flipped_byte_in_a_set_header_copy_is_found_in_that_family()
    {
        var layout = new StripeLayout(_stripes[2]);
        _stripes[2][layout.SetHeaderOffset + BackupSetHeaderDescriptor.FixedLength + 2] ^= 0x20;

        var error = BackupHarness.Verify(_stripes);

        Assert.NotNull(error);
        Assert.Equal(BackupStreamError.HeaderChecksumMismatch, error.Error);
        Assert.Equal(3, error.FamilyNumber);
        Assert.Equal(layout.SetHeaderOffset, error.StreamOffset);
    }

    [Fact]
    public void A_flipped_trailer_byte_is_found()
    {
        var layout = new StripeLayout(_stripes[0]);
        _stripes[0][layout.TrailerOffset + StripeTrailerDescriptor.BlockCountOffset] ^= 0x01;

        var error = BackupHarness.Verify(_stripes);

        Assert.NotNull(error);
        Assert.Equal(BackupStreamError.HeaderChecksumMismatch, error.Error);
        Assert.Equal(layout.TrailerOffset, error.StreamOffset);
    }

    [Fact]
    public void A_non_zero_padding_byte_is_reported_at_its_exact_offset()
    {
        var layout = new StripeLayout(_stripes[1]);
        int position = layout.TrailerOffset + StripeTrailerDescriptor.Length + 5;
        _stripes[1][position] = 0x7F;

        var error = BackupHarness.Verify(_stripes);

        Assert.NotNull(error);
        Assert.Equal(BackupStreamError.NonZeroPadding, error.Error);
        Assert.Equal(2, error.FamilyNumber);
        Assert.Equal(position, error.StreamOffset);
    }

    [Fact]
    public void Every_single_flipped_byte_anywhere_is_detected_in_its_own_structure()
    {
        var random = new Random(2024);
        for (int trial = 0; trial < 300; trial++)
        {
            int family = random.Next(_stripes.Length);
            byte[] stripe = _stripes[family];
            var layout = new StripeLayout(stripe);
            int position = random.Next(stripe.Length);
            byte original = stripe[position];
            stripe[position] ^= (byte)(1 << random.Next(8));
            try
            {
                var error = BackupHarness.Verify(_stripes, readSize: _ => 1024 * (1 + random.Next(64)));

                Assert.True(error is not null, $"A flip at offset {position} of family {family + 1} went unnoticed.");
                if (position >= MediaHeaderDescriptor.Length)
                {
                    Assert.Equal(family + 1, error.FamilyNumber);
                }

                if (error.Error != BackupStreamError.NonZeroPadding)
                {
                    Assert.Equal(layout.StructureStart(position), error.StreamOffset);
                }
                else
                {
                    Assert.Equal(position, error.StreamOffset);
                }
            }
            finally
            {
                stripe[position] = original;
            }
        }
    }

    [Fact]
    public void A_corrupt_restore_writes_no_database_and_leaves_no_temporary_files()
    {
        var layout = new StripeLayout(_stripes[0]);
        _stripes[0][layout.DataBlocks[^1] + DataBlockDescriptor.HeaderLength] ^= 0x01;

        var error = Assert.Throws<BackupStreamException>(() => BackupHarness.Restore(_catalogue, "payroll_copy", _stripes));

        Assert.Equal(BackupStreamError.PayloadChecksumMismatch, error.Error);
        Assert.False(_catalogue.Exists("payroll_copy"));
        string directory = Path.Combine(_catalogue.DataDirectory, "payroll_copy");
        Assert.True(!Directory.Exists(directory) || !Directory.EnumerateFiles(directory).Any());
    }

    [Fact]
    public void A_reader_that_failed_refuses_further_input()
    {
        _stripes[0][0] ^= 0xFF;
        var reader = new StripeReader();
        Assert.Throws<BackupStreamException>(() => reader.Consume(_stripes[0]));
        var refusal = Assert.Throws<InvalidOperationException>(() => reader.Consume(_stripes[0]));
        Assert.IsType<BackupStreamException>(refusal.InnerException);
    }

    [Fact]
    public void Verify_only_writes_nothing()
    {
        var before = Directory.EnumerateFileSystemEntries(_catalogue.DataDirectory, "*", SearchOption.AllDirectories).Order().ToArray();

        Assert.Null(BackupHarness.Verify(_stripes));

        var after = Directory.EnumerateFileSystemEntries(_catalogue.DataDirectory, "*", SearchOption.AllDirectories).Order().ToArray();
        Assert.Equal(before, after);
    }
}
