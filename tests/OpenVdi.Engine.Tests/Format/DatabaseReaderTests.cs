using OpenVdi.Engine.Format;
using OpenVdi.Engine.Tests.Format.Infrastructure;

namespace OpenVdi.Engine.Tests.Format;

public sealed class DatabaseReaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string MakeFile(string relative, int length, int seed)
    {
        string path = _temp.Combine(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Hands_out_every_byte_once_file_by_file_in_ascending_order()
    {
        MakeFile("a.mdf", 10_000, 1);
        MakeFile("empty.ndf", 0, 2);
        MakeFile("b.ldf", 2_500, 3);
        using var reader = DatabaseReader.Open(_temp.Path, [
            new DatabaseFileSpec("a", "a.mdf", DatabaseFileType.Data),
            new DatabaseFileSpec("empty", "empty.ndf", DatabaseFileType.Data),
            new DatabaseFileSpec("b", "b.ldf", DatabaseFileType.Log),
        ]);

        var extents = new List<DataExtent>();
        while (reader.TryTake(4000, out var extent))
        {
            extents.Add(extent);
        }

        Assert.Equal(
            [new(0, 0, 0, 4000), new(1, 0, 4000, 4000), new(2, 0, 8000, 2000), new(3, 2, 0, 2500)],
            extents);
        Assert.Equal(12_500, reader.TotalBytes);
        Assert.Equal([10_000L, 0L, 2_500L], reader.Files.Select(f => f.Size));
    }

    [Fact]
    public void Concurrent_takers_share_the_bytes_without_overlap()
    {
        MakeFile("big.mdf", 3_000_000, 4);
        using var reader = DatabaseReader.Open(_temp.Path, [new DatabaseFileSpec("big", "big.mdf", DatabaseFileType.Data)]);
        var taken = new System.Collections.Concurrent.ConcurrentBag<DataExtent>();

        Parallel.For(0, 4, _ =>
        {
            while (reader.TryTake(7919, out var extent))
            {
                taken.Add(extent);
            }
        });

        var ordered = taken.OrderBy(e => e.Sequence).ToArray();
        Assert.Equal(Enumerable.Range(0, ordered.Length).Select(i => (long)i), ordered.Select(e => e.Sequence));
        long expected = 0;
        foreach (var extent in ordered)
        {
            Assert.Equal(expected, extent.FileOffset);
            expected += extent.Length;
        }

        Assert.Equal(3_000_000, expected);
    }

    [Fact]
    public void Reads_the_bytes_of_a_run_into_the_callers_buffer()
    {
        string path = MakeFile("data/f.mdf", 5000, 5);
        using var reader = DatabaseReader.Open(_temp.Path, [new DatabaseFileSpec("f", "data/f.mdf", DatabaseFileType.Data)]);
        Assert.True(reader.TryTake(1000, out _));
        Assert.True(reader.TryTake(3000, out var second));
        var buffer = new byte[3000];

        reader.Read(second, buffer);

        Assert.Equal(File.ReadAllBytes(path).AsSpan(1000, 3000).ToArray(), buffer);
        Assert.Equal(3000, reader.BytesRead);
    }

    [Fact]
    public void A_file_that_shrinks_during_the_backup_fails_the_read()
    {
        string path = MakeFile("f.mdf", 8192, 6);
        using var reader = DatabaseReader.Open(_temp.Path, [new DatabaseFileSpec("f", "f.mdf", DatabaseFileType.Data)]);
        Assert.True(reader.TryTake(8192, out var extent));
        using (var shrink = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            shrink.SetLength(100);
        }

        var error = Assert.Throws<IOException>(() => reader.Read(extent, new byte[8192]));

        Assert.Contains("changed during the backup", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_outside_the_database_directory_are_recorded_by_file_name()
    {
        string outside = MakeFile("apps/shop.sqlite", 4096, 7);
        string inside = MakeFile("db/sub/inside.mdf", 10, 8);
        using var reader = DatabaseReader.Open(_temp.Combine("db"), [
            new DatabaseFileSpec("shop", outside, DatabaseFileType.Data),
            new DatabaseFileSpec("inside", inside, DatabaseFileType.Data),
        ]);

        Assert.Equal(["shop.sqlite", "sub/inside.mdf"], reader.Files.Select(f => f.PhysicalPath));
    }

    [Fact]
    public void Unsafe_relative_paths_and_clashing_names_are_refused()
    {
        MakeFile("x/a.mdf", 1, 9);
        MakeFile("y/a.mdf", 1, 10);

        Assert.Throws<ArgumentException>(() => DatabaseReader.Open(_temp.Combine("x"), [new DatabaseFileSpec("a", "../y/a.mdf", DatabaseFileType.Data)]));
        Assert.Throws<ArgumentException>(() => DatabaseReader.Open(_temp.Combine("z"), [
            new DatabaseFileSpec("a", _temp.Combine("x", "a.mdf"), DatabaseFileType.Data),
            new DatabaseFileSpec("b", _temp.Combine("y", "a.mdf"), DatabaseFileType.Data),
        ]));
    }

    [Fact]
    public void A_missing_file_fails_the_open()
    {
        Assert.Throws<FileNotFoundException>(() => DatabaseReader.Open(_temp.Path, [new DatabaseFileSpec("a", "missing.mdf", DatabaseFileType.Data)]));
    }
}
