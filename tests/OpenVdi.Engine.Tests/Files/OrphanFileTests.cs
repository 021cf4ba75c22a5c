using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Files;
using OpenVdi.Engine.Format;
using OpenVdi.Engine.Tests.Format.Infrastructure;

namespace OpenVdi.Engine.Tests.Files;

/// <summary>
/// What a killed run left is removed by the next run in the same place, and only that: files named as OpenVdi's
/// writers name them that no process holds (issue 8, items 11 and 14).
/// </summary>
public sealed class OrphanFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_file_held_with_an_exclusive_lock_is_held_and_one_closed_is_not()
    {
        string path = Path.Combine(_temp.Path, "f");
        using (var held = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
        {
            Assert.True(OrphanFiles.IsHeld(path));
        }

        Assert.False(OrphanFiles.IsHeld(path));
        Assert.False(OrphanFiles.IsHeld(Path.Combine(_temp.Path, "missing")));
    }

    [Fact]
    public void A_killed_restore_s_temporary_files_go_when_the_engine_takes_the_data_directory_with_the_folder_they_alone_filled()
    {
        string data = Path.Combine(_temp.Path, "data");
        string killedFolder = Path.Combine(data, "copy");
        Directory.CreateDirectory(killedFolder);
        string orphan = Path.Combine(killedFolder, "copy.mdf.0123abcd.restoring");
        File.WriteAllBytes(orphan, new byte[4096]);

        string database = Path.Combine(data, "kept");
        Directory.CreateDirectory(database);
        string userFile = Path.Combine(database, "notes.restoring");
        File.WriteAllText(userFile, "not ours: the name lacks the tag");
        string live = Path.Combine(database, "kept.mdf.89abcdef.restoring");
        using var held = new FileStream(live, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);

        using var dataLock = DataDirectoryLock.Acquire(data);
        var removed = dataLock.RemoveOrphans();

        Assert.Equal([orphan, killedFolder], removed);
        Assert.False(Directory.Exists(killedFolder));
        Assert.True(File.Exists(userFile));
        Assert.True(File.Exists(live));
    }

    [Fact]
    public void A_restore_removes_what_a_killed_restore_left_next_to_its_targets()
    {
        string target = Path.Combine(_temp.Path, "db");
        Directory.CreateDirectory(target);
        string orphan = Path.Combine(target, "db.mdf.0123abcd.restoring");
        File.WriteAllBytes(orphan, new byte[4096]);

        Assert.Equal([orphan], DatabaseWriter.RemoveOrphans(target));
        Assert.False(File.Exists(orphan));
    }

    [Fact]
    public void A_second_engine_on_the_same_data_directory_is_refused_with_the_first_one_s_pid()
    {
        string data = Path.Combine(_temp.Path, "data");
        using var first = DataDirectoryLock.Acquire(data);

        var e = Assert.Throws<IOException>(() => DataDirectoryLock.Acquire(data));

        Assert.Contains($"pid {Environment.ProcessId}", e.Message, StringComparison.Ordinal);
        Assert.Contains("already serves the data directory", e.Message, StringComparison.Ordinal);
        first.Dispose();
        using var again = DataDirectoryLock.Acquire(data);
    }
}
