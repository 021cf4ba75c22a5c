using System.Buffers.Binary;
using OpenVdi.Engine.Format;
using OpenVdi.Engine.Tests.Format.Infrastructure;

namespace OpenVdi.Engine.Tests.Format;

/// <summary>
/// The layout documented in docs/backup-stream.md, pinned: stored backups must stay readable, so a change
/// to any offset, length or encoding must be deliberate (a new format version), not an accident.
/// </summary>
public class LayoutTests
{
    private static Guid MediaSetId { get; } = new("0d0f5ba0-1111-4222-8333-944445555666");
    private static Guid BackupSetId { get; } = new("7a7a7a7a-0000-4000-8000-000000000001");

    [Fact]
    public void Structure_lengths_are_the_documented_ones_and_fit_the_smallest_block()
    {
        Assert.Equal(64, MediaHeaderDescriptor.Length);
        Assert.Equal(88, BackupSetHeaderDescriptor.FixedLength);
        Assert.Equal(16, BackupFileEntryDescriptor.FixedLength);
        Assert.Equal(40, DataBlockDescriptor.HeaderLength);
        Assert.Equal(76, StripeTrailerDescriptor.Length);
        Assert.True(StripeTrailerDescriptor.Length <= BackupStreamFormat.MinBlockSize);
        Assert.Equal(111, BackupSetHeaderDescriptor.MinTotalLength);
    }

    [Fact]
    public void Magic_numbers_spell_their_names_in_stream_order()
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, MediaHeaderDescriptor.Magic);
        Assert.Equal("OVDMEDIA"u8.ToArray(), bytes.ToArray());
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, StripeTrailerDescriptor.EndMarker);
        Assert.Equal("OVDI-END"u8.ToArray(), bytes.ToArray());
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, BackupSetHeaderDescriptor.Magic);
        Assert.Equal("OVSH"u8.ToArray(), bytes[..4].ToArray());
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, DataBlockDescriptor.Magic);
        Assert.Equal("OVDB"u8.ToArray(), bytes[..4].ToArray());
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, StripeTrailerDescriptor.Magic);
        Assert.Equal("OVTR"u8.ToArray(), bytes[..4].ToArray());
    }

    [Fact]
    public void A_known_media_set_has_known_bytes()
    {
        var stripes = WriteKnownMediaSet();
        byte[] first = stripes[0];

        Assert.Equal("OVDMEDIA"u8.ToArray(), first[..8]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(first.AsSpan(8)));
        Assert.Equal(512, BinaryPrimitives.ReadInt32LittleEndian(first.AsSpan(12)));
        Assert.Equal(MediaSetId, new Guid(first.AsSpan(16, 16)));
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(first.AsSpan(32)));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(first.AsSpan(34)));
        Assert.Equal("OVSH"u8.ToArray(), first[512..516]);
        Assert.Equal("OVDB"u8.ToArray(), first[1024..1028]);

        // Whole-stripe fingerprints: if these change, the format changed.
        Assert.Equal([2560, 2048], stripes.Select(s => s.Length));
        Assert.Equal([0xF14EE7ADu, 0xE93DF0E4u], stripes.Select(s => Crc32C.Compute(s)));
    }

    [Fact]
    public void Headers_survive_the_round_trip_field_for_field()
    {
        var stripes = WriteKnownMediaSet();
        var reader = new StripeReader();
        reader.Consume(stripes[1]);
        reader.Complete();

        var media = reader.MediaHeader!;
        Assert.Equal(new MediaHeader(MediaSetId, 2, 2, 1, 512, BackupHarness.StartTime), media);
        var set = reader.SetHeader!;
        Assert.Equal(BackupSetId, set.BackupSetId);
        Assert.Equal("Ünïcødé db", set.DatabaseName);
        Assert.Equal(BackupType.Differential, set.Type);
        Assert.True(set.CopyOnly);
        Assert.True(set.PayloadChecksums);
        Assert.Equal("nightly – 夜", set.Name);
        Assert.Equal("described", set.Description);
        Assert.Equal(65536, set.MaxTransferSize);
        Assert.Equal([new BackupFileEntry("data", "data.dat", DatabaseFileType.Data, 700), new BackupFileEntry("log", "log.dat", DatabaseFileType.Log, 5)], set.Files);
        Assert.Equal(705, set.TotalDataBytes);
        Assert.Equal(BackupHarness.StartTime.AddHours(1), reader.Trailer!.FinishTime);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("/abs")]
    [InlineData("a//b")]
    [InlineData("a\\b")]
    [InlineData("")]
    public void The_writer_refuses_paths_that_a_reader_would_refuse(string path)
    {
        var set = KnownSetHeader([new BackupFileEntry("data", path, DatabaseFileType.Data, 1)]);

        Assert.Throws<ArgumentException>(set.Encode);
    }

    [Fact]
    public void The_writer_refuses_duplicate_logical_names_and_bad_sizes()
    {
        Assert.Throws<ArgumentException>(KnownSetHeader([new BackupFileEntry("a", "a", DatabaseFileType.Data, 1), new BackupFileEntry("A", "b", DatabaseFileType.Log, 1)]).Encode);
        Assert.Throws<ArgumentException>(KnownSetHeader([new BackupFileEntry("a", "a", DatabaseFileType.Data, -1)]).Encode);
        Assert.Throws<ArgumentException>(KnownSetHeader([]).Encode);
    }

    [Fact]
    public void The_writer_refuses_transfers_that_are_not_block_multiples_or_too_large()
    {
        var source = new MemoryDataSource(new byte[10]);
        var writer = StripeWriter.CreateMediaSet(KnownSetHeader(source.Entries("d")), 1, source)[0];

        Assert.Throws<ArgumentException>(() => writer.WriteNext(new byte[1000]));
        Assert.Throws<ArgumentException>(() => writer.WriteNext(new byte[65536 + 512]));
        Assert.Throws<ArgumentException>(() => writer.WriteNext([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => StripeWriter.CreateMediaSet(KnownSetHeader(source.Entries("d")), 65, source));
    }

    private static BackupSetHeader KnownSetHeader(IReadOnlyList<BackupFileEntry> files) => new()
    {
        BackupSetId = BackupSetId,
        MediaSetId = MediaSetId,
        DatabaseName = "Ünïcødé db",
        Type = BackupType.Differential,
        CopyOnly = true,
        StartTime = BackupHarness.StartTime,
        Name = "nightly – 夜",
        Description = "described",
        BlockSize = 512,
        MaxTransferSize = 65536,
        Files = files,
    };

    private static byte[][] WriteKnownMediaSet()
    {
        var data = Enumerable.Range(0, 700).Select(i => (byte)(i * 7)).ToArray();
        var source = new MemoryDataSource(data, "LOG!!"u8.ToArray());
        var set = KnownSetHeader(source.Entries("data", "log"));
        var writers = StripeWriter.CreateMediaSet(set, 2, source, new FixedClock(BackupHarness.StartTime.AddHours(1)));
        return BackupHarness.WriteStripes(writers, 1024);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
