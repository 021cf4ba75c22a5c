using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Format;
using OpenVdi.Engine.Tests.Format.Infrastructure;

namespace OpenVdi.Engine.Tests.Format;

/// <summary>RESTORE needs exactly the families of one media set; anything else is refused by name.</summary>
public sealed class MediaSetTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly DatabaseCatalogue _catalogue;

    public MediaSetTests()
    {
        _catalogue = new DatabaseCatalogue(_temp.Combine("data"));
        SampleDatabase.Create(_catalogue.DataDirectory, "crm", 768 * 1024, seed: 9);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_missing_family_is_refused_by_number()
    {
        var stripes = BackupHarness.Backup(_catalogue, "crm", 4);

        var error = Assert.Throws<BackupStreamException>(() => BackupHarness.Read([stripes[0], stripes[1], stripes[3]]));

        Assert.Equal(BackupStreamError.MissingFamily, error.Error);
        Assert.Equal(3, error.FamilyNumber);
        Assert.True(error.IsWrongMedia);
        Assert.Contains("Media family 3 of 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_family_is_refused()
    {
        var stripes = BackupHarness.Backup(_catalogue, "crm", 3);

        var error = Assert.Throws<BackupStreamException>(() => BackupHarness.Read([stripes[2], stripes[0], stripes[2]]));

        Assert.Equal(BackupStreamError.DuplicateFamily, error.Error);
        Assert.Equal(3, error.FamilyNumber);
        Assert.Contains("presented twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_family_of_another_media_set_is_refused_as_foreign()
    {
        var ours = BackupHarness.Backup(_catalogue, "crm", 2);
        var theirs = BackupHarness.Backup(_catalogue, "crm", 2);

        var error = Assert.Throws<BackupStreamException>(() => BackupHarness.Read([ours[0], theirs[1]]));

        Assert.Equal(BackupStreamError.ForeignMediaSet, error.Error);
        Assert.Equal(2, error.FamilyNumber);
        Assert.Contains("belongs to media set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_family_count_disagreement_is_refused_as_foreign()
    {
        var id = Guid.NewGuid();
        var two = BackupHarness.Backup(_catalogue, "crm", 2, mediaSetId: id);
        var three = BackupHarness.Backup(_catalogue, "crm", 3, mediaSetId: id);

        var error = Assert.Throws<BackupStreamException>(() => BackupHarness.Read([two[0], three[2]]));

        Assert.Equal(BackupStreamError.ForeignMediaSet, error.Error);
    }

    [Fact]
    public void Set_header_copies_that_differ_are_refused()
    {
        var id = Guid.NewGuid();
        var first = BackupHarness.Backup(_catalogue, "crm", 2, mediaSetId: id, name: "first");
        var second = BackupHarness.Backup(_catalogue, "crm", 2, mediaSetId: id, name: "second");

        var error = Assert.Throws<BackupStreamException>(() => BackupHarness.Read([first[0], second[1]]));

        Assert.Equal(BackupStreamError.SetHeaderMismatch, error.Error);
        Assert.Equal(2, error.FamilyNumber);
    }

    [Fact]
    public void No_stripe_at_all_is_refused()
    {
        var error = Assert.Throws<BackupStreamException>(() => BackupHarness.Read([]));

        Assert.Equal(BackupStreamError.MissingFamily, error.Error);
    }

    [Fact]
    public void A_stripe_that_is_not_a_backup_is_refused()
    {
        var stripes = BackupHarness.Backup(_catalogue, "crm", 1);
        var text = new byte[4096];
        "SQLite format 3\0"u8.CopyTo(text);

        var error = Assert.Throws<BackupStreamException>(() => BackupHarness.Read([stripes[0], text]));

        Assert.Equal(BackupStreamError.NotABackupStream, error.Error);
    }

    [Fact]
    public void A_restore_with_another_block_size_is_refused()
    {
        var stripes = BackupHarness.Backup(_catalogue, "crm", 1, blockSize: 4096);

        var error = Assert.Throws<BackupStreamException>(() => BackupHarness.Read(stripes, expectedBlockSize: 512));

        Assert.Equal(BackupStreamError.BlockSizeMismatch, error.Error);
        Assert.Contains("BLOCKSIZE 4096", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stripe_cut_short_anywhere_is_truncated_with_its_family()
    {
        var stripes = BackupHarness.Backup(_catalogue, "crm", 2, blockSize: 512);
        var layout = new StripeLayout(stripes[1]);
        int[] cuts =
        [
            0,
            10,
            512,
            512 + 50,
            layout.DataBlocks[0],
            layout.DataBlocks[0] + 100,
            layout.DataBlocks[^1] + 600,
            layout.TrailerOffset,
            layout.TrailerOffset + StripeTrailerDescriptor.Length,
            stripes[1].Length - 1,
        ];
        foreach (int cut in cuts)
        {
            var error = Assert.Throws<BackupStreamException>(() => BackupHarness.Read([stripes[0], stripes[1][..cut]]));

            Assert.Equal(BackupStreamError.Truncated, error.Error);
            Assert.Equal(cut, error.StreamOffset);
            if (cut >= MediaHeaderDescriptor.Length)
            {
                Assert.Equal(2, error.FamilyNumber);
            }
        }
    }

    [Fact]
    public void A_whole_block_removed_from_a_stripe_is_caught()
    {
        var stripes = BackupHarness.Backup(_catalogue, "crm", 2, blockSize: 512, maxTransferSize: 8192);
        var layout = new StripeLayout(stripes[0]);
        int start = layout.DataBlocks[2];
        int end = layout.DataBlocks[3];
        byte[] shortened = [.. stripes[0][..start], .. stripes[0][end..]];

        var error = Assert.Throws<BackupStreamException>(() => BackupHarness.Read([shortened, stripes[1]]));

        Assert.Equal(BackupStreamError.TrailerMismatch, error.Error);
        Assert.Equal(1, error.FamilyNumber);
    }

    [Fact]
    public void Two_blocks_swapped_within_a_stripe_are_caught()
    {
        var stripes = BackupHarness.Backup(_catalogue, "crm", 1, blockSize: 512, maxTransferSize: 4096);
        var layout = new StripeLayout(stripes[0]);
        int a = layout.DataBlocks[3];
        int b = layout.DataBlocks[4];
        int c = layout.DataBlocks[5];
        Assert.Equal(b - a, c - b);
        byte[] swapped = [.. stripes[0][..a], .. stripes[0][b..c], .. stripes[0][a..b], .. stripes[0][c..]];

        var error = Assert.Throws<BackupStreamException>(() => BackupHarness.Read([swapped]));

        Assert.Equal(BackupStreamError.OutOfOrderBlock, error.Error);
        Assert.Equal(b, error.StreamOffset);
    }

    [Fact]
    public void Bytes_after_the_trailer_are_ignored()
    {
        var stripes = BackupHarness.Backup(_catalogue, "crm", 1);
        byte[] padded = [.. stripes[0], .. new byte[8192].Select(_ => (byte)0xAB)];

        var summary = BackupHarness.Read([padded]);

        Assert.Equal(1, summary.FamilyCount);
    }

    [Fact]
    public void One_stripe_alone_answers_label_and_header_questions()
    {
        var stripes = BackupHarness.Backup(_catalogue, "crm", 4, name: "weekly");
        var reader = new StripeReader();

        // RESTORE HEADERONLY reads only as far as the set header.
        for (int offset = 0; reader.SetHeader is null; offset += 512)
        {
            reader.Consume(stripes[2].AsSpan(offset, 512));
        }

        Assert.Equal(3, reader.MediaHeader!.FamilyNumber);
        Assert.Equal(4, reader.MediaHeader.FamilyCount);
        Assert.Equal(1, reader.MediaHeader.MediaSequence);
        Assert.Equal("weekly", reader.SetHeader.Name);
        Assert.Equal(BackupType.Database, reader.SetHeader.Type);
        Assert.Equal(["crm", "crm_log"], reader.SetHeader.Files.Select(f => f.LogicalName));
        Assert.Equal([DatabaseFileType.Data, DatabaseFileType.Log], reader.SetHeader.Files.Select(f => f.Type));
        Assert.Equal(768 * 1024, reader.SetHeader.TotalDataBytes);
        Assert.False(reader.IsComplete);
    }

    [Fact]
    public void The_summary_reports_the_latest_finish_time_of_the_families()
    {
        using var reader = _catalogue.OpenReader("crm");
        var set = BackupHarness.SetHeaderFor(reader, "crm");
        var clock = new SteppingClock(BackupHarness.StartTime);
        var stripes = BackupHarness.WriteStripes(StripeWriter.CreateMediaSet(set, 3, reader, clock), 65536);

        var summary = BackupHarness.Read(stripes);

        Assert.Equal(clock.Last, summary.FinishTime);
        Assert.True(summary.FinishTime > summary.SetHeader.StartTime);
    }

    [Fact]
    public void Reading_stored_stripe_files_verifies_the_media_set()
    {
        var stripes = BackupHarness.Backup(_catalogue, "crm", 3);
        var streams = BackupHarness.Shuffled(stripes, 1).Select(bytes => new MemoryStream(bytes)).ToArray();

        var summary = MediaSetAssembler.ReadAll(streams, readSize: 10_000);

        Assert.Equal(3, summary.FamilyCount);
        Assert.Equal(768 * 1024, summary.PayloadBytes);
    }

    [Fact]
    public void A_restore_target_that_cannot_be_made_fails_the_restore_once_without_retrying()
    {
        var stripes = BackupHarness.Backup(_catalogue, "crm", 2);
        int attempts = 0;
        var assembler = new MediaSetAssembler(_ =>
        {
            attempts++;
            throw new IOException("No space left on device.");
        });

        var first = assembler.OpenStripe();
        Assert.Throws<IOException>(() => first.Consume(stripes[0]));
        var second = assembler.OpenStripe();
        var refusal = Assert.Throws<InvalidOperationException>(() => second.Consume(stripes[1]));

        Assert.IsType<IOException>(refusal.InnerException);
        Assert.Equal(1, attempts);
        Assert.IsType<IOException>(assembler.FirstError);
        Assert.Throws<IOException>(() => assembler.Complete());
    }

    [Fact]
    public void Progress_counts_the_payload_verified_so_far()
    {
        var stripes = BackupHarness.Backup(_catalogue, "crm", 2);
        var assembler = new MediaSetAssembler();
        var stripe = assembler.OpenStripe();

        stripe.Consume(stripes[0]);
        long afterOne = assembler.PayloadBytes;
        var other = assembler.OpenStripe();
        other.Consume(stripes[1]);

        Assert.InRange(afterOne, 1, (768 * 1024) - 1);
        Assert.Equal(768 * 1024, assembler.PayloadBytes);
        Assert.Equal(768 * 1024, assembler.SetHeader!.TotalDataBytes);
    }

    private sealed class SteppingClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Last { get; private set; } = start;

        public override DateTimeOffset GetUtcNow() => Last = Last.AddMinutes(1);
    }
}
