using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Format;
using OpenVdi.Engine.Tests.Format.Infrastructure;

namespace OpenVdi.Engine.Tests.Format;

public sealed class RoundTripTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly DatabaseCatalogue _catalogue;

    public RoundTripTests()
    {
        _catalogue = new DatabaseCatalogue(_temp.Combine("data"));
    }

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(64)]
    public void Restore_is_byte_identical_for_every_family_count(int families)
    {
        var source = SampleDatabase.Create(_catalogue.DataDirectory, "sales", 3 * 1024 * 1024 + 12345, seed: 11);
        var stripes = BackupHarness.Backup(_catalogue, "sales", families);

        var summary = BackupHarness.Restore(_catalogue, "sales_copy", stripes);

        BackupHarness.AssertSameContent(source, _catalogue.Get("sales_copy"));
        Assert.Equal(families, summary.FamilyCount);
        Assert.Equal(source.Files.Sum(file => new FileInfo(source.GetFullPath(file)).Length), summary.PayloadBytes);
        Assert.Equal("sales", summary.SetHeader.DatabaseName);
    }

    [Theory]
    [InlineData(4, 1)]
    [InlineData(4, 2)]
    [InlineData(64, 3)]
    public void Stripes_presented_in_shuffled_order_restore_identically(int families, int seed)
    {
        var source = SampleDatabase.Create(_catalogue.DataDirectory, "orders", 2 * 1024 * 1024 + 777, seed: seed);
        var stripes = BackupHarness.Backup(_catalogue, "orders", families);

        BackupHarness.Restore(_catalogue, "orders_copy", BackupHarness.Shuffled(stripes, seed));

        BackupHarness.AssertSameContent(source, _catalogue.Get("orders_copy"));
    }

    [Fact]
    public void Shuffled_stripes_read_concurrently_chunk_by_chunk_restore_identically()
    {
        var source = SampleDatabase.Create(_catalogue.DataDirectory, "ledger", 2 * 1024 * 1024, seed: 4);
        var stripes = BackupHarness.Backup(_catalogue, "ledger", 8);

        BackupHarness.Restore(_catalogue, "ledger_copy", BackupHarness.Shuffled(stripes, 99), readSize: _ => 4096, interleaved: true);

        BackupHarness.AssertSameContent(source, _catalogue.Get("ledger_copy"));
    }

    [Theory]
    [InlineData(512)]
    [InlineData(4096)]
    [InlineData(12288)]
    [InlineData(196608)]
    public void Reading_in_sizes_other_than_written_restores_identically(int readSize)
    {
        var source = SampleDatabase.Create(_catalogue.DataDirectory, "stock", 1024 * 1024 + 4321, seed: 7);
        var stripes = BackupHarness.Backup(_catalogue, "stock", 3, blockSize: 512, maxTransferSize: 65536);

        BackupHarness.Restore(_catalogue, "stock_copy", stripes, readSize: _ => readSize);

        BackupHarness.AssertSameContent(source, _catalogue.Get("stock_copy"));
    }

    [Fact]
    public void Reading_in_ever_changing_block_multiples_restores_identically()
    {
        var source = SampleDatabase.Create(_catalogue.DataDirectory, "mixed", 1536 * 1024, seed: 8);
        var stripes = BackupHarness.Backup(_catalogue, "mixed", 2, blockSize: 1024, maxTransferSize: 131072, transferSize: call => 1024 * (1 + (call % 128)));
        var sizes = new Random(17);

        BackupHarness.Restore(_catalogue, "mixed_copy", stripes, readSize: _ => 1024 * sizes.Next(1, 300));

        BackupHarness.AssertSameContent(source, _catalogue.Get("mixed_copy"));
    }

    [Theory]
    [InlineData(512, 65536)]
    [InlineData(65536, 65536)]
    [InlineData(65536, 4 * 1024 * 1024)]
    [InlineData(4096, 1024 * 1024)]
    public void Every_block_size_and_transfer_size_round_trips(int blockSize, int maxTransferSize)
    {
        var source = SampleDatabase.Create(_catalogue.DataDirectory, "sizes", 3 * 1024 * 1024 + 1, seed: 3);
        var stripes = BackupHarness.Backup(_catalogue, "sizes", 3, blockSize, maxTransferSize);

        Assert.All(stripes, stripe => Assert.Equal(0, stripe.Length % blockSize));
        BackupHarness.Restore(_catalogue, "sizes_copy", stripes, readSize: _ => blockSize * 3);

        BackupHarness.AssertSameContent(source, _catalogue.Get("sizes_copy"));
    }

    [Fact]
    public void Backup_and_restore_on_one_thread_per_device_round_trip()
    {
        var source = SampleDatabase.Create(_catalogue.DataDirectory, "threads", 4 * 1024 * 1024 + 99, seed: 21);
        var stripes = BackupHarness.BackupConcurrently(_catalogue, "threads", families: 6, blockSize: 4096, maxTransferSize: 65536);

        DatabaseWriter? writer = null;
        var assembler = new MediaSetAssembler(set => writer = _catalogue.BeginRestore("threads_copy", set));
        Parallel.ForEach(BackupHarness.Shuffled(stripes, 5), stripeBytes =>
        {
            var stripe = assembler.OpenStripe();
            for (int offset = 0; offset < stripeBytes.Length && !stripe.IsComplete; offset += 32768)
            {
                stripe.Consume(stripeBytes.AsSpan(offset, Math.Min(32768, stripeBytes.Length - offset)));
            }

            stripe.Complete();
        });
        assembler.Complete();
        using (writer)
        {
            writer!.Commit();
        }

        BackupHarness.AssertSameContent(source, _catalogue.Get("threads_copy"));
    }

    [Fact]
    public void Without_payload_checksums_the_restore_is_still_identical_and_blocks_carry_zero()
    {
        var source = SampleDatabase.Create(_catalogue.DataDirectory, "fast", 1024 * 1024, seed: 2);
        var stripes = BackupHarness.Backup(_catalogue, "fast", 2, payloadChecksums: false);
        var layout = new StripeLayout(stripes[0]);
        Assert.NotEmpty(layout.DataBlocks);
        Assert.All(layout.DataBlocks, block => Assert.Equal(0, BitConverter.ToInt32(stripes[0], block + DataBlockDescriptor.PayloadChecksumOffset)));

        var summary = BackupHarness.Restore(_catalogue, "fast_copy", stripes);

        Assert.False(summary.SetHeader.PayloadChecksums);
        BackupHarness.AssertSameContent(source, _catalogue.Get("fast_copy"));
    }

    [Fact]
    public void Empty_files_and_an_empty_database_round_trip()
    {
        var source = SampleDatabase.Create(_catalogue.DataDirectory, "tiny", 100, seed: 1);
        Assert.Equal(0, new FileInfo(source.GetFullPath(source.Files[0])).Length);
        var stripes = BackupHarness.Backup(_catalogue, "tiny", 4);

        var summary = BackupHarness.Restore(_catalogue, "tiny_copy", stripes);

        Assert.Equal(100, summary.PayloadBytes);
        BackupHarness.AssertSameContent(source, _catalogue.Get("tiny_copy"));
    }

    [Fact]
    public void Every_stripe_starts_with_its_media_header_and_a_copy_of_the_set_header()
    {
        SampleDatabase.Create(_catalogue.DataDirectory, "labels", 512 * 1024, seed: 6);
        var stripes = BackupHarness.Backup(_catalogue, "labels", 5, name: "nightly");

        for (int family = 1; family <= stripes.Length; family++)
        {
            var reader = new StripeReader();
            reader.Consume(stripes[family - 1].AsSpan(0, 2 * 4096));
            Assert.Equal(family, reader.MediaHeader!.FamilyNumber);
            Assert.Equal(5, reader.MediaHeader.FamilyCount);
            Assert.Equal("labels", reader.SetHeader!.DatabaseName);
            Assert.Equal("nightly", reader.SetHeader.Name);
            Assert.Equal(BackupHarness.StartTime, reader.SetHeader.StartTime);
            Assert.Equal(2, reader.SetHeader.Files.Count);
        }
    }

    [Fact]
    public void The_writer_fills_every_transfer_but_the_last_and_no_block_straddles_two()
    {
        SampleDatabase.Create(_catalogue.DataDirectory, "transfers", 700 * 1024, seed: 12);
        using var reader = _catalogue.OpenReader("transfers");
        var set = BackupHarness.SetHeaderFor(reader, "transfers", blockSize: 512, maxTransferSize: 65536);
        var writer = StripeWriter.CreateMediaSet(set, 1, reader)[0];
        var buffer = new byte[65536];
        var lengths = new List<int>();
        var stripe = new MemoryStream();
        int length;
        while ((length = writer.WriteNext(buffer)) > 0)
        {
            lengths.Add(length);
            stripe.Write(buffer, 0, length);
        }

        Assert.All(lengths[..^1], l => Assert.Equal(65536, l));
        Assert.Equal(0, lengths[^1] % 512);
        var layout = new StripeLayout(stripe.ToArray());
        foreach (int block in layout.DataBlocks)
        {
            int payload = BitConverter.ToInt32(stripe.GetBuffer(), block + DataBlockDescriptor.PayloadLengthOffset);
            Assert.Equal(block / 65536, (block + DataBlockDescriptor.HeaderLength + payload - 1) / 65536);
        }

        Assert.Equal(writer.BytesWritten, stripe.Length);
        Assert.Equal(writer.Trailer!.StripeLength, layout.TrailerOffset);
    }

    [Fact]
    public void Faster_devices_carry_more_blocks_and_every_block_is_counted_once()
    {
        SampleDatabase.Create(_catalogue.DataDirectory, "uneven", 2 * 1024 * 1024, seed: 13);
        using var reader = _catalogue.OpenReader("uneven");
        var set = BackupHarness.SetHeaderFor(reader, "uneven");
        var writers = StripeWriter.CreateMediaSet(set, 2, reader);

        // Family 1's device drains three transfers for every one of family 2's.
        var outputs = new[] { new MemoryStream(), new MemoryStream() };
        var buffer = new byte[65536];
        for (int turn = 0; writers.Any(w => !w.IsComplete); turn++)
        {
            int f = turn % 4 == 3 ? 1 : 0;
            outputs[f].Write(buffer, 0, writers[f].WriteNext(buffer));
        }

        var stripes = outputs.Select(o => o.ToArray()).ToArray();
        Assert.True(writers[0].BlockCount > 2 * writers[1].BlockCount, $"{writers[0].BlockCount} vs {writers[1].BlockCount}");
        Assert.Equal(reader.TotalBytes, writers.Sum(w => w.PayloadBytes));
        Assert.Equal(reader.TotalBytes, reader.BytesRead);
        var summary = BackupHarness.Read(stripes);
        Assert.Equal(writers.Sum(w => w.BlockCount), summary.BlockCount);
    }
}
