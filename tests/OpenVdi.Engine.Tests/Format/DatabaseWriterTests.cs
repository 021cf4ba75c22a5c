using OpenVdi.Engine.Format;
using OpenVdi.Engine.Tests.Format.Infrastructure;

namespace OpenVdi.Engine.Tests.Format;

public sealed class DatabaseWriterTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static BackupSetHeader SetHeader(params BackupFileEntry[] files) => new()
    {
        BackupSetId = Guid.NewGuid(),
        MediaSetId = Guid.NewGuid(),
        DatabaseName = "db",
        Type = BackupType.Database,
        StartTime = BackupHarness.StartTime,
        BlockSize = 512,
        MaxTransferSize = 65536,
        Files = files,
    };

    private static BackupSetHeader TwoFiles { get; } = SetHeader(
        new BackupFileEntry("db", "db.mdf", DatabaseFileType.Data, 10),
        new BackupFileEntry("db_log", "logs/db_log.ldf", DatabaseFileType.Log, 4));

    [Fact]
    public void Files_appear_under_their_names_only_at_commit()
    {
        string target = _temp.Combine("restore");
        using (var writer = DatabaseWriter.Create(TwoFiles, target))
        {
            writer.WriteBlock(0, 0, "01234"u8);
            writer.WriteBlock(1, 0, "LOG!"u8);
            writer.WriteBlock(0, 5, "56789"u8);
            Assert.False(File.Exists(Path.Combine(target, "db.mdf")));
            Assert.All(Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories), path => Assert.EndsWith(DatabaseWriter.TemporarySuffix, path, StringComparison.Ordinal));

            writer.Commit();
        }

        Assert.Equal("0123456789"u8.ToArray(), File.ReadAllBytes(Path.Combine(target, "db.mdf")));
        Assert.Equal("LOG!"u8.ToArray(), File.ReadAllBytes(Path.Combine(target, "logs", "db_log.ldf")));
        Assert.Equal(2, Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public void Disposing_without_commit_deletes_the_temporary_files_and_keeps_the_old_ones()
    {
        string target = _temp.Combine("restore");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "db.mdf"), "previous");

        using (var writer = DatabaseWriter.Create(TwoFiles, target, new DatabaseWriterOptions { Replace = true }))
        {
            writer.WriteBlock(0, 0, "0123456789"u8);
        }

        Assert.Equal("previous", File.ReadAllText(Path.Combine(target, "db.mdf")));
        Assert.Equal([Path.Combine(target, "db.mdf")], Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void An_existing_file_is_refused_without_replace_and_nothing_is_written()
    {
        string target = _temp.Combine("restore");
        Directory.CreateDirectory(Path.Combine(target, "logs"));
        File.WriteAllText(Path.Combine(target, "logs", "db_log.ldf"), "keep me");

        var error = Assert.Throws<RestoreTargetExistsException>(() => DatabaseWriter.Create(TwoFiles, target));

        Assert.Equal(Path.Combine(target, "logs", "db_log.ldf"), error.Path);
        Assert.Contains("REPLACE", error.Message, StringComparison.Ordinal);
        Assert.Equal([Path.Combine(target, "logs", "db_log.ldf")], Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Replace_overwrites_the_existing_files_at_commit()
    {
        string target = _temp.Combine("restore");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "db.mdf"), "a much longer previous file");

        using (var writer = DatabaseWriter.Create(TwoFiles, target, new DatabaseWriterOptions { Replace = true }))
        {
            writer.WriteBlock(0, 0, "0123456789"u8);
            writer.WriteBlock(1, 0, "LOG!"u8);
            writer.Commit();
        }

        Assert.Equal("0123456789", File.ReadAllText(Path.Combine(target, "db.mdf")));
    }

    [Fact]
    public void Move_places_files_by_logical_name_relative_or_absolute()
    {
        string target = _temp.Combine("restore");
        string elsewhere = _temp.Combine("elsewhere", "log.ldf");
        var options = new DatabaseWriterOptions
        {
            Moves = new Dictionary<string, string> { ["DB"] = "renamed/data.mdf", ["db_log"] = elsewhere },
        };

        using (var writer = DatabaseWriter.Create(TwoFiles, target, options))
        {
            Assert.Equal([Path.Combine(target, "renamed", "data.mdf"), elsewhere], writer.TargetPaths);
            writer.WriteBlock(0, 0, "0123456789"u8);
            writer.WriteBlock(1, 0, "LOG!"u8);
            writer.Commit();
        }

        Assert.Equal("0123456789", File.ReadAllText(Path.Combine(target, "renamed", "data.mdf")));
        Assert.Equal("LOG!", File.ReadAllText(elsewhere));
    }

    [Fact]
    public void Move_of_an_unknown_logical_name_is_refused()
    {
        var options = new DatabaseWriterOptions { Moves = new Dictionary<string, string> { ["nope"] = "x.mdf" } };

        var error = Assert.Throws<ArgumentException>(() => DatabaseWriter.Create(TwoFiles, _temp.Combine("restore"), options));

        Assert.Contains("'nope'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_files_moved_to_one_target_are_refused()
    {
        var options = new DatabaseWriterOptions { Moves = new Dictionary<string, string> { ["db_log"] = "db.mdf" } };

        Assert.Throws<ArgumentException>(() => DatabaseWriter.Create(TwoFiles, _temp.Combine("restore"), options));
    }

    [Theory]
    [InlineData("../escape.mdf")]
    [InlineData("a/../../escape.mdf")]
    public void A_path_that_leaves_the_target_directory_is_refused(string path)
    {
        var hostile = SetHeader(new BackupFileEntry("db", path, DatabaseFileType.Data, 1));

        Assert.Throws<ArgumentException>(() => DatabaseWriter.Create(hostile, _temp.Combine("restore")));
        Assert.False(File.Exists(_temp.Combine("escape.mdf")));
    }

    [Fact]
    public void A_block_outside_the_file_is_refused()
    {
        using var writer = DatabaseWriter.Create(TwoFiles, _temp.Combine("restore"));

        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteBlock(0, 8, "abc"u8));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteBlock(2, 0, "a"u8));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteBlock(0, -1, "a"u8));
    }

    [Fact]
    public void Files_get_their_full_size_even_where_no_block_wrote()
    {
        string target = _temp.Combine("restore");
        using (var writer = DatabaseWriter.Create(TwoFiles, target))
        {
            writer.Commit();
        }

        Assert.Equal(10, new FileInfo(Path.Combine(target, "db.mdf")).Length);
        Assert.Equal(4, new FileInfo(Path.Combine(target, "logs", "db_log.ldf")).Length);
    }
}
