using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Tests.Format.Infrastructure;

namespace OpenVdi.Engine.Tests.Databases;

/// <summary>
/// Making a sample database never touches what was there before, and a failed, cancelled or killed run leaves
/// nothing behind (issue 8, item 10).
/// </summary>
public sealed class SampleDatabaseSafetyTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_file_already_in_the_database_s_folder_is_neither_written_nor_deleted()
    {
        string folder = Path.Combine(_temp.Path, "precious");
        Directory.CreateDirectory(folder);
        string precious = Path.Combine(folder, "precious.mdf");
        byte[] content = [.. Enumerable.Range(0, 10000).Select(i => (byte)(i * 7))];
        File.WriteAllBytes(precious, content);

        var e = Assert.Throws<IOException>(() => SampleDatabase.Create(_temp.Path, "precious", 16 << 20, seed: 1));

        Assert.Contains("holds files", e.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllBytes(precious));
        Assert.Equal([precious], Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public void A_cancelled_run_leaves_nothing_and_a_second_run_succeeds()
    {
        using var cancel = new CancellationTokenSource();
        void Written(long bytes)
        {
            if (bytes >= 4 << 20)
            {
                cancel.Cancel();
            }
        }

        Assert.ThrowsAny<OperationCanceledException>(() => SampleDatabase.Create(_temp.Path, "big", 64 << 20, seed: 1, Written, cancel.Token));
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Path));

        var database = SampleDatabase.Create(_temp.Path, "big", 1 << 20, seed: 1);
        Assert.Equal("big", database.Name);
    }

    [Fact]
    public void What_a_killed_run_left_is_removed_by_the_next_run_and_what_a_live_run_holds_is_not()
    {
        // A killed run's staging folder and its lock file, which no process holds any more.
        string killed = Path.Combine(_temp.Path, ".openvdi-staging.sales.0123abcd");
        Directory.CreateDirectory(killed);
        File.WriteAllBytes(Path.Combine(killed, "sales.mdf"), new byte[1 << 20]);
        File.WriteAllText(killed + ".lock", string.Empty);

        // A run still going: its lock file is held.
        string live = Path.Combine(_temp.Path, ".openvdi-staging.other.89abcdef");
        Directory.CreateDirectory(live);
        using var held = new FileStream(live + ".lock", FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);

        SampleDatabase.Create(_temp.Path, "fresh", 1 << 20, seed: 1);

        Assert.False(Directory.Exists(killed), "The killed run's staging folder is still there.");
        Assert.False(File.Exists(killed + ".lock"));
        Assert.True(Directory.Exists(live), "A staging folder whose run still holds it was removed.");
    }
}
