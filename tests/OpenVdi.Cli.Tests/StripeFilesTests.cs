using OpenVdi.Cli.Client;
using OpenVdi.Cli.Tests.Infrastructure;

namespace OpenVdi.Cli.Tests;

/// <summary>A backup directory only ever holds complete backups: temporaries until success, renamed then, deleted on failure.</summary>
public sealed class StripeFilesTests
{
    [Fact]
    public void Stripes_are_written_under_hidden_temporary_names_until_the_commit()
    {
        using var temp = new TempDirectory();
        string directory = temp.Combine("backup");
        using var stripes = StripeFiles.CreateForBackup(directory, 3);
        stripes[0].Write([1, 2, 3]);

        Assert.Empty(StripeFiles.Find(directory));
        Assert.All(temp.Files(directory), name => Assert.Matches(@"^\.stripe-0[1-3]\.bak\.[0-9a-f]{8}\.partial$", name));
        Assert.Equal(3, temp.Files(directory).Count);
    }

    [Fact]
    public void Commit_puts_every_stripe_in_place_with_its_bytes_readable_only_by_the_owner()
    {
        using var temp = new TempDirectory();
        string directory = temp.Combine("backup");
        var stripes = StripeFiles.CreateForBackup(directory, 2);
        stripes[0].Write([1, 2, 3]);
        stripes[1].Write([4]);
        stripes[1].Write([5, 6]);

        stripes.Commit();
        stripes.Dispose();

        Assert.Equal(["stripe-01.bak", "stripe-02.bak"], temp.Files(directory));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(directory, "stripe-01.bak")));
        Assert.Equal([4, 5, 6], File.ReadAllBytes(Path.Combine(directory, "stripe-02.bak")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, Mode(Path.Combine(directory, "stripe-01.bak")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, Mode(directory));
    }

    [Fact]
    public void Abandoning_deletes_the_temporaries_and_a_directory_the_backup_made()
    {
        using var temp = new TempDirectory();
        string directory = temp.Combine("backup");
        var stripes = StripeFiles.CreateForBackup(directory, 2);
        stripes[0].Write(new byte[100_000]);

        stripes.Abandon();

        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public void Disposing_without_a_commit_abandons_and_leaves_a_directory_that_was_there()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("notes.txt"), "mine");
        using (var stripes = StripeFiles.CreateForBackup(temp.Path, 4))
        {
            stripes[3].Write([9]);
        }

        Assert.Equal(["notes.txt"], temp.Files());
    }

    [Fact]
    public void A_directory_that_already_holds_a_backup_is_refused_and_left_as_it_was()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.Combine("stripe-01.bak"), [7]);

        var e = Assert.Throws<IOException>(() => StripeFiles.CreateForBackup(temp.Path, 1));

        Assert.Contains("already holds a backup (stripe-01.bak)", e.Message, StringComparison.Ordinal);
        Assert.Equal(["stripe-01.bak"], temp.Files());
    }

    [Fact]
    public void A_commit_that_meets_a_file_in_its_way_overwrites_nothing_and_keeps_nothing_of_its_own()
    {
        using var temp = new TempDirectory();
        var stripes = StripeFiles.CreateForBackup(temp.Path, 2);
        stripes[0].Write([1]);
        stripes[1].Write([2]);
        File.WriteAllBytes(temp.Combine("stripe-02.bak"), [42]);

        Assert.ThrowsAny<IOException>(stripes.Commit);

        Assert.Equal(["stripe-02.bak"], temp.Files());
        Assert.Equal([42], File.ReadAllBytes(temp.Combine("stripe-02.bak")));
    }

    [Fact]
    public void Find_lists_only_stripe_files_in_name_order()
    {
        using var temp = new TempDirectory();
        foreach (string name in (string[])["stripe-10.bak", "stripe-02.bak", ".stripe-03.bak.0badcafe.partial", "stripe-1.bak", "stripe-04.bak.old", "readme", "stripe-01.bak"])
        {
            File.WriteAllBytes(temp.Combine(name), []);
        }

        Assert.Equal(["stripe-01.bak", "stripe-02.bak", "stripe-10.bak"], StripeFiles.Find(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Opening_a_directory_without_stripes_for_a_restore_says_so()
    {
        using var temp = new TempDirectory();

        Assert.Contains("holds no backup", Assert.Throws<IOException>(() => StripeFiles.OpenForRestore(temp.Path)).Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Throws<IOException>(() => StripeFiles.OpenForRestore(temp.Combine("none"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_of_any_size_return_the_stripe_in_order_with_a_short_count_at_the_end()
    {
        using var temp = new TempDirectory();
        byte[] content = StreamingEngine.Pattern(1, 1_000_003);
        File.WriteAllBytes(temp.Combine("stripe-01.bak"), content);
        using var stripes = StripeFiles.OpenForRestore(temp.Path);
        var random = new Random(7);
        using var read = new MemoryStream();
        var buffer = new byte[200_000];

        int count;
        do
        {
            int size = random.Next(1, buffer.Length);
            count = stripes[0].Read(buffer.AsSpan(0, size));
            read.Write(buffer, 0, count);
            Assert.True(count == size || read.Length == content.Length, "Only the last read may be short.");
        }
        while (count > 0);

        Assert.Equal(content, read.ToArray());
        Assert.Equal(0, stripes[0].Read(buffer));
    }

    [Fact]
    public void Stripes_can_be_read_at_the_same_time_in_any_interleaving()
    {
        using var temp = new TempDirectory();
        var contents = Enumerable.Range(0, 4).Select(i => StreamingEngine.Pattern(i, 100_000 + (i * 33_333))).ToArray();
        for (int i = 0; i < contents.Length; i++)
        {
            File.WriteAllBytes(temp.Combine(StripeFiles.FinalName(i + 1)), contents[i]);
        }

        using var stripes = StripeFiles.OpenForRestore(temp.Path);
        var outputs = contents.Select(_ => new MemoryStream()).ToArray();
        var random = new Random(11);
        var buffer = new byte[65536];
        var open = Enumerable.Range(0, stripes.Count).ToList();
        while (open.Count > 0)
        {
            int stripe = open[random.Next(open.Count)];
            int count = stripes[stripe].Read(buffer.AsSpan(0, random.Next(512, buffer.Length)));
            outputs[stripe].Write(buffer, 0, count);
            if (count == 0)
            {
                open.Remove(stripe);
            }
        }

        for (int i = 0; i < contents.Length; i++)
        {
            Assert.Equal(contents[i], outputs[i].ToArray());
        }

        Assert.Equal(contents.Sum(c => (long)c.Length), stripes.BytesRead);
    }

    private static UnixFileMode Mode(string path) =>
        OperatingSystem.IsWindows() ? throw new PlatformNotSupportedException() : File.GetUnixFileMode(path);
}
