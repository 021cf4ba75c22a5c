using System.IO.Compression;
using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Format;
using OpenVdi.Engine.Tests.Format.Infrastructure;

namespace OpenVdi.Engine.Tests.Databases;

public sealed class SampleDatabaseTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static long TotalSize(DatabaseInfo database) =>
        database.Files.Sum(file => new FileInfo(database.GetFullPath(file)).Length);

    private static byte[] AllBytes(DatabaseInfo database) =>
        database.Files.SelectMany(file => File.ReadAllBytes(database.GetFullPath(file))).ToArray();

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(8191L)]
    [InlineData(65536L)]
    [InlineData(1_000_003L)]
    [InlineData(5L * 1024 * 1024)]
    public void The_files_add_up_to_exactly_the_size_asked_for(long size)
    {
        var database = SampleDatabase.Create(_temp.Path, "s", size, seed: 1);

        Assert.Equal(size, TotalSize(database));
        Assert.Single(database.Files, file => file.Type == DatabaseFileType.Log);
    }

    [Fact]
    public void Small_databases_have_one_data_file_and_larger_ones_two()
    {
        var small = SampleDatabase.Create(_temp.Path, "small", 512 * 1024, seed: 1);
        var larger = SampleDatabase.Create(_temp.Path, "larger", 4 * 1024 * 1024, seed: 1);

        Assert.Equal(["small.mdf", "small_log.ldf"], small.Files.Select(f => f.Path));
        Assert.Equal(["larger.mdf", "larger_2.ndf", "larger_log.ldf"], larger.Files.Select(f => f.Path));
        Assert.Equal(["larger", "larger_2", "larger_log"], larger.Files.Select(f => f.LogicalName));
    }

    [Fact]
    public void The_same_seed_gives_the_same_bytes_and_another_seed_other_bytes()
    {
        var first = SampleDatabase.Create(_temp.Combine("one"), "db", 2 * 1024 * 1024 + 100, seed: 42);
        var again = SampleDatabase.Create(_temp.Combine("two"), "db", 2 * 1024 * 1024 + 100, seed: 42);
        var other = SampleDatabase.Create(_temp.Combine("three"), "db", 2 * 1024 * 1024 + 100, seed: 43);

        BackupHarness.AssertSameContent(first, again);
        Assert.False(AllBytes(first).AsSpan().SequenceEqual(AllBytes(other)));
    }

    [Fact]
    public void The_content_compresses_like_a_database_neither_all_zero_nor_random()
    {
        var database = SampleDatabase.Create(_temp.Path, "z", 4 * 1024 * 1024, seed: 7);
        byte[] bytes = AllBytes(database);
        using var compressed = new MemoryStream();
        using (var deflate = new DeflateStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            deflate.Write(bytes);
        }

        double ratio = (double)compressed.Length / bytes.Length;
        Assert.InRange(ratio, 0.10, 0.60);
    }

    [Fact]
    public void Data_files_hold_row_pages_zeroed_pages_and_random_pages()
    {
        var database = SampleDatabase.Create(_temp.Path, "p", 8 * 1024 * 1024, seed: 3);
        byte[] data = File.ReadAllBytes(database.GetFullPath(database.Files[0]));
        int pages = data.Length / 8192;
        int zero = 0;
        int rows = 0;
        int random = 0;
        for (int i = 0; i < pages; i++)
        {
            var page = data.AsSpan(i * 8192, 8192);
            if (!page.ContainsAnyExcept((byte)0))
            {
                zero++;
            }
            else if (page[0] == 1)
            {
                rows++;
                Assert.True(page.IndexOf("Berlin"u8) >= 0 || page.IndexOf("Lisbon"u8) >= 0 || page.IndexOf("Oslo"u8) >= 0);
            }
            else if (page[0] == 3)
            {
                random++;
            }
        }

        Assert.InRange(zero, pages * 5 / 100, pages * 15 / 100);
        Assert.InRange(random, pages * 3 / 100, pages * 12 / 100);
        Assert.InRange(rows, pages * 60 / 100, pages * 85 / 100);
    }

    [Fact]
    public void An_invalid_name_is_refused_and_nothing_is_written()
    {
        Assert.Throws<ArgumentException>(() => SampleDatabase.Create(_temp.Path, "../escape", 1000, 1));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.Path));
    }
}
