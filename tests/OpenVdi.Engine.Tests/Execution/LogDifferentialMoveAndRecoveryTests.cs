using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Format;
using OpenVdi.Engine.Messages;
using OpenVdi.Engine.Tests.Execution.Infrastructure;

namespace OpenVdi.Engine.Tests.Execution;

/// <summary>
/// BACKUP LOG, BACKUP … WITH DIFFERENTIAL, RESTORE LOG, RESTORE … WITH MOVE and WITH NORECOVERY through the engine,
/// answered as SQL Server answers them (docs/engine.md, "Log, differential and recovery").
/// </summary>
public class LogDifferentialMoveAndRecoveryTests
{
    [Fact(Timeout = 120000)]
    public async Task BACKUP_LOG_holds_the_log_files_only_and_reports_them_as_SQL_Server_does()
    {
        using var fixture = new EngineFixture();
        var log = Assert.Single(fixture.Database.Files, f => f.Type == DatabaseFileType.Log);
        long logPages = (new FileInfo(fixture.Database.GetFullPath(log)).Length + 8191) / 8192;

        var (backup, stripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 2, kind: "LOG");

        Assert.True(backup.Succeeded, Describe(backup));
        var processed = Assert.Single(backup.Messages, m => m.Number == SqlMessageNumbers.ProcessedPages);
        Assert.Equal(SqlMessages.ProcessedPages(logPages, "sales", log.LogicalName, 1), processed);
        Assert.StartsWith($"BACKUP LOG successfully processed {logPages} pages in ", backup.Messages[^1].Text, StringComparison.Ordinal);
        var header = Assert.Single((await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE HEADERONLY", [stripes[1]])).ResultSets);
        Assert.Equal(2, header.Value(0, "BackupType"));
        Assert.Equal("Transaction Log", header.Value(0, "BackupTypeDescription"));
        var files = Assert.Single((await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE FILELISTONLY", [stripes[0]])).ResultSets);
        Assert.Equal([log.LogicalName], files.Rows.Select(r => r[0]));
    }

    [Fact(Timeout = 120000)]
    public async Task BACKUP_LOG_of_a_database_without_a_log_file_fails_with_4208()
    {
        using var fixture = new EngineFixture();
        string file = Path.Combine(fixture.DataDirectory, "app.db");
        File.WriteAllBytes(file, new byte[20000]);
        fixture.Engine.Catalogue.Register("app", [new DatabaseFileSpec("app", file, DatabaseFileType.Data)]);

        var (backup, _) = await MemoryBackupClient.BackupAsync(fixture.Engine, "app", 1, kind: "LOG");

        Assert.Equal([SqlMessages.LogBackupNotAllowedInSimpleRecovery(), SqlMessages.TerminatingAbnormally("BACKUP LOG")], backup.Messages);
    }

    [Fact(Timeout = 120000)]
    public async Task RESTORE_WITH_NORECOVERY_leaves_the_database_restoring_until_RESTORE_LOG_brings_it_online()
    {
        using var fixture = new EngineFixture();
        var (full, fullStripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 2);
        Assert.True(full.Succeeded, Describe(full));
        var log = fixture.Database.Files.Single(f => f.Type == DatabaseFileType.Log);
        Overwrite(fixture.Database.GetFullPath(log), 4096, 0x5A);
        var (logBackup, logStripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 1, kind: "LOG");
        Assert.True(logBackup.Succeeded, Describe(logBackup));

        var restored = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE DATABASE [copy]", fullStripes, "NORECOVERY");
        Assert.True(restored.Succeeded, Describe(restored));
        Assert.StartsWith("RESTORE DATABASE successfully processed", restored.Messages[^1].Text, StringComparison.Ordinal);
        Assert.True(fixture.Engine.Catalogue.Get("copy").IsRestoring, "WITH NORECOVERY left the database online.");

        var refused = await MemoryBackupClient.BackupAsync(fixture.Engine, "copy", 1);
        Assert.Equal(
            [new SqlMessage(927, 14, 1, "Database 'copy' cannot be opened. It is in the middle of a restore."), SqlMessages.TerminatingAbnormally("BACKUP DATABASE")],
            refused.Outcome.Messages);

        var rolledForward = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE LOG [copy]", logStripes);
        Assert.True(rolledForward.Succeeded, Describe(rolledForward));
        Assert.Equal(log.LogicalName, Assert.Single(rolledForward.Messages, m => m.Number == SqlMessageNumbers.ProcessedPages).Text.Split('\'')[3]);
        Assert.StartsWith("RESTORE LOG successfully processed", rolledForward.Messages[^1].Text, StringComparison.Ordinal);
        Assert.False(fixture.Engine.Catalogue.Get("copy").IsRestoring, "RESTORE LOG WITH RECOVERY (the default) left the database restoring.");

        // The data files came from the full backup, the log from the log backup: together, the database as it is now.
        fixture.AssertSameFiles("copy");
        var (again, _) = await MemoryBackupClient.BackupAsync(fixture.Engine, "copy", 1);
        Assert.True(again.Succeeded, Describe(again));
    }

    [Fact(Timeout = 120000)]
    public async Task RESTORE_LOG_onto_a_database_that_is_not_restoring_fails_with_3117_and_changes_nothing()
    {
        using var fixture = new EngineFixture();
        var (_, logStripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 1, kind: "LOG");

        var online = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE LOG [sales]", logStripes);
        var missing = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE LOG [nosuch]", logStripes, "NORECOVERY");

        var expected = new[] { SqlMessages.NoFilesReadyToRollForward(), SqlMessages.TerminatingAbnormally("RESTORE LOG") };
        Assert.Equal(expected, online.Messages);
        Assert.Equal(expected, missing.Messages);
        Assert.Equal("The log or differential backup cannot be restored because no files are ready to rollforward.", online.FirstError!.Text);
        fixture.AssertSameFiles("sales");
        Assert.False(fixture.Engine.Catalogue.Exists("nosuch"));
    }

    [Fact(Timeout = 120000)]
    public async Task A_differential_backup_restores_onto_the_full_restored_WITH_NORECOVERY_and_not_onto_nothing()
    {
        using var fixture = new EngineFixture();
        var (_, fullStripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 2);
        var data = fixture.Database.Files.First(f => f.Type == DatabaseFileType.Data);
        Overwrite(fixture.Database.GetFullPath(data), 100_000, 0xC3);

        var (differential, diffStripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 3, "DIFFERENTIAL");
        Assert.True(differential.Succeeded, Describe(differential));
        Assert.StartsWith("BACKUP DATABASE successfully processed", differential.Messages[^1].Text, StringComparison.Ordinal);
        var header = Assert.Single((await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE HEADERONLY", [diffStripes[0]])).ResultSets);
        Assert.Equal(5, header.Value(0, "BackupType"));
        Assert.Equal("Database Differential", header.Value(0, "BackupTypeDescription"));

        var alone = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE DATABASE [copy]", diffStripes);
        Assert.Equal([SqlMessages.NoFilesReadyToRollForward(), SqlMessages.TerminatingAbnormally("RESTORE DATABASE")], alone.Messages);
        Assert.False(fixture.Engine.Catalogue.Exists("copy"));

        var baseRestore = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE DATABASE [copy]", fullStripes, "NORECOVERY");
        Assert.True(baseRestore.Succeeded, Describe(baseRestore));
        var applied = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE DATABASE [copy]", diffStripes, "RECOVERY");
        Assert.True(applied.Succeeded, Describe(applied));
        Assert.StartsWith("RESTORE DATABASE successfully processed", applied.Messages[^1].Text, StringComparison.Ordinal);
        Assert.False(fixture.Engine.Catalogue.Get("copy").IsRestoring);
        fixture.AssertSameFiles("copy");
    }

    [Fact(Timeout = 120000)]
    public async Task A_backup_set_of_the_wrong_kind_is_refused_with_3135()
    {
        using var fixture = new EngineFixture();
        var (_, fullStripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 1);
        var (_, logStripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 1, kind: "LOG");
        Assert.True((await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE DATABASE [copy]", fullStripes, "NORECOVERY")).Succeeded);

        var logAsDatabase = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE DATABASE [other]", logStripes);
        var databaseAsLog = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE LOG [copy]", fullStripes);

        Assert.Equal(SqlMessageNumbers.BackupSetWrongKind, logAsDatabase.FirstError!.Number);
        Assert.Matches("^The backup set in file 'eng-[0-9a-f]+' was created by BACKUP LOG and cannot be used for this restore operation\\.$", logAsDatabase.FirstError.Text);
        Assert.Equal(SqlMessageNumbers.BackupSetWrongKind, databaseAsLog.FirstError!.Number);
        Assert.Contains("was created by BACKUP DATABASE", databaseAsLog.FirstError.Text, StringComparison.Ordinal);
        Assert.Equal(SqlMessageNumbers.TerminatingAbnormally, databaseAsLog.Messages[^1].Number);
        Assert.False(fixture.Engine.Catalogue.Exists("other"));
        Assert.True(fixture.Engine.Catalogue.Get("copy").IsRestoring, "A refused RESTORE LOG changed the restoring database.");
    }

    [Fact(Timeout = 120000)]
    public async Task RESTORE_WITH_MOVE_writes_each_moved_file_under_its_new_path()
    {
        using var fixture = new EngineFixture();
        var (_, stripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 2);
        var data = fixture.Database.Files.First(f => f.Type == DatabaseFileType.Data);
        var log = fixture.Database.Files.Single(f => f.Type == DatabaseFileType.Log);
        string elsewhere = Path.Combine(fixture.DataDirectory, "elsewhere", "moved_log.ldf");

        var restore = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE DATABASE [moved]", stripes, $"MOVE N'{log.LogicalName}' TO N'{elsewhere}', MOVE '{data.LogicalName}' TO 'sub/moved.mdf'");

        Assert.True(restore.Succeeded, Describe(restore));
        var moved = fixture.Engine.Catalogue.Get("moved");
        Assert.Equal(elsewhere, moved.GetFullPath(moved.Files.Single(f => f.LogicalName == log.LogicalName)));
        Assert.Equal(Path.Combine(moved.Directory, "sub", "moved.mdf"), moved.GetFullPath(moved.Files.Single(f => f.LogicalName == data.LogicalName)));
        Assert.False(File.Exists(Path.Combine(moved.Directory, log.Path)), "The moved log was also written under its original name.");
        fixture.AssertSameFiles("moved");
    }

    [Fact(Timeout = 120000)]
    public async Task A_MOVE_of_a_logical_file_the_backup_does_not_have_fails_with_3234()
    {
        using var fixture = new EngineFixture();
        var (_, stripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 1);

        var restore = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE DATABASE [moved]", stripes, "MOVE 'nosuch' TO '/tmp/x.mdf'");

        Assert.Equal([SqlMessages.LogicalFileNotInDatabase("nosuch", "sales"), SqlMessages.TerminatingAbnormally("RESTORE DATABASE")], restore.Messages);
        Assert.False(fixture.Engine.Catalogue.Exists("moved"));
    }

    /// <summary>Changes <paramref name="count"/> bytes at the start of a file, keeping its length: work done since a backup.</summary>
    private static void Overwrite(string path, int count, byte value)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.Write(Enumerable.Repeat(value, (int)Math.Min(count, stream.Length)).ToArray());
    }

    private static string Describe(StatementOutcome outcome) => string.Join(" | ", outcome.Messages);
}
