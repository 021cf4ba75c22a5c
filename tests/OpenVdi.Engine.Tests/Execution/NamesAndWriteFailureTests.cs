using OpenVdi.Engine.Format;
using OpenVdi.Engine.Messages;
using OpenVdi.Engine.Tests.Execution.Infrastructure;

namespace OpenVdi.Engine.Tests.Execution;

/// <summary>Errors a user can act on: a name the engine cannot hold says invalid; a restore that cannot write says write.</summary>
public sealed class NamesAndWriteFailureTests
{
    [Theory]
    [InlineData("BACKUP DATABASE [../etc] TO VIRTUAL_DEVICE = 'x'", "BACKUP DATABASE")]
    [InlineData("BACKUP LOG [a/b] TO VIRTUAL_DEVICE = 'x'", "BACKUP LOG")]
    [InlineData("RESTORE DATABASE [.hidden] FROM VIRTUAL_DEVICE = 'x'", "RESTORE DATABASE")]
    public async Task A_database_name_the_engine_cannot_hold_is_invalid_not_missing(string statement, string operation)
    {
        using var fixture = new EngineFixture();

        var outcome = await fixture.Engine.ExecuteAsync(statement);

        Assert.False(outcome.Succeeded);
        Assert.Equal(SqlMessageNumbers.InvalidDatabaseName, outcome.FirstError!.Number);
        Assert.Contains("is not a valid database name", outcome.FirstError.Text, StringComparison.Ordinal);
        Assert.Equal($"{operation} is terminating abnormally.", outcome.Messages[^1].Text);
    }

    [Fact(Timeout = 120000)]
    public async Task A_restore_whose_file_cannot_be_written_says_write_and_names_the_database()
    {
        using var fixture = new EngineFixture();
        var (_, stripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 2);
        string blocker = Path.Combine(fixture.DataDirectory, "a-file");
        File.WriteAllText(blocker, "not a directory");

        // The data file is to go under a path whose parent is a file: the operating system refuses to create it.
        var outcome = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE DATABASE [copy]", stripes, $"MOVE 'sales' TO '{Path.Combine(blocker, "copy.mdf")}'");

        Assert.False(outcome.Succeeded);
        Assert.Equal(SqlMessageNumbers.WriteFailed, outcome.FirstError!.Number);
        Assert.StartsWith("Write on \"copy\" failed: ", outcome.FirstError.Text, StringComparison.Ordinal);
        Assert.False(fixture.Engine.Catalogue.Exists("copy"));
    }

    [Fact(Timeout = 120000)]
    public async Task A_registered_file_deleted_since_fails_the_backup_with_a_message_not_an_engine_fault()
    {
        using var fixture = new EngineFixture();
        string file = Path.Combine(fixture.DataDirectory, "outside.db");
        File.WriteAllBytes(file, new byte[8192]);
        fixture.Engine.Catalogue.Register("app", [new DatabaseFileSpec("app", file, DatabaseFileType.Data)]);
        File.Delete(file);

        var outcome = await fixture.Engine.ExecuteAsync("BACKUP DATABASE [app] TO VIRTUAL_DEVICE = 'x'");

        Assert.False(outcome.Succeeded);
        Assert.Equal(SqlMessageNumbers.DatabaseFilesUnusable, outcome.FirstError!.Number);
        Assert.Contains("outside.db", outcome.FirstError.Text, StringComparison.Ordinal);
        Assert.Equal("BACKUP DATABASE is terminating abnormally.", outcome.Messages[^1].Text);
    }
}
