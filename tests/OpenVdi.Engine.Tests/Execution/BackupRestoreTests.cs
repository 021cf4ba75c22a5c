using OpenVdi.Engine.Messages;
using OpenVdi.Engine.Tests.Execution.Infrastructure;

namespace OpenVdi.Engine.Tests.Execution;

/// <summary>BACKUP and RESTORE through the engine end to end, with a real VDI client serving the devices.</summary>
public class BackupRestoreTests
{
    [Theory(Timeout = 120000)]
    [InlineData(1, "")]
    [InlineData(4, "BLOCKSIZE = 4096, MAXTRANSFERSIZE = 131072, BUFFERCOUNT = 6")]
    [InlineData(64, "BLOCKSIZE = 65536, MAXTRANSFERSIZE = 65536")]
    public async Task A_restore_of_a_backup_is_byte_identical(int devices, string with)
    {
        using var fixture = new EngineFixture();
        var (backup, stripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", devices, with);
        Assert.True(backup.Succeeded, string.Join(" | ", backup.Messages));
        Assert.Equal(SqlMessageNumbers.SuccessfullyProcessed, backup.Messages[^1].Number);
        Assert.Contains(backup.Messages, m => m.Number == SqlMessageNumbers.ProcessedPages);

        var restore = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE DATABASE [sales_copy]", stripes, with.Replace("BUFFERCOUNT = 6", "BUFFERCOUNT = 5", StringComparison.Ordinal));
        Assert.True(restore.Succeeded, string.Join(" | ", restore.Messages));
        Assert.StartsWith("RESTORE DATABASE successfully processed", restore.Messages[^1].Text, StringComparison.Ordinal);
        fixture.AssertSameFiles("sales_copy");
    }

    [Fact(Timeout = 120000)]
    public async Task Stripes_presented_in_another_order_restore_all_the_same()
    {
        using var fixture = new EngineFixture();
        var (backup, stripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 4);
        Assert.True(backup.Succeeded);
        var shuffled = new[] { stripes[2], stripes[0], stripes[3], stripes[1] };
        var restore = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE DATABASE [sales_shuffled]", shuffled);
        Assert.True(restore.Succeeded, string.Join(" | ", restore.Messages));
        fixture.AssertSameFiles("sales_shuffled");
    }

    [Fact(Timeout = 120000)]
    public async Task A_missing_stripe_is_refused_with_3132()
    {
        using var fixture = new EngineFixture();
        var (_, stripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 3);
        var restore = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE DATABASE [sales_part]", [stripes[0], stripes[2]]);
        Assert.False(restore.Succeeded);
        Assert.Equal(SqlMessageNumbers.MediaFamiliesMissing, restore.FirstError!.Number);
        Assert.Equal(SqlMessageNumbers.TerminatingAbnormally, restore.Messages[^1].Number);
        Assert.False(fixture.Engine.Catalogue.Exists("sales_part"));
    }

    [Fact(Timeout = 120000)]
    public async Task A_duplicate_or_foreign_stripe_is_refused()
    {
        using var fixture = new EngineFixture();
        var (_, first) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 2);
        var (_, second) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 2);
        var duplicate = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE DATABASE [dup]", [first[0], first[0]]);
        Assert.False(duplicate.Succeeded);
        var foreign = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE DATABASE [foreign]", [first[0], second[1]]);
        Assert.False(foreign.Succeeded);
        Assert.Equal(SqlMessageNumbers.TerminatingAbnormally, foreign.Messages[^1].Number);
        Assert.False(fixture.Engine.Catalogue.Exists("dup"));
        Assert.False(fixture.Engine.Catalogue.Exists("foreign"));
    }

    [Fact(Timeout = 120000)]
    public async Task Restoring_over_an_existing_database_needs_REPLACE()
    {
        using var fixture = new EngineFixture();
        var (_, stripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 2);
        var refused = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE DATABASE [sales]", stripes);
        Assert.False(refused.Succeeded);
        Assert.Equal(SqlMessageNumbers.TailOfLogNotBackedUp, refused.FirstError!.Number);
        fixture.AssertSameFiles("sales");

        var replaced = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE DATABASE [sales]", stripes, "REPLACE");
        Assert.True(replaced.Succeeded, string.Join(" | ", replaced.Messages));
    }

    [Fact(Timeout = 120000)]
    public async Task STATS_reports_progress_in_steps()
    {
        using var fixture = new EngineFixture();
        var (backup, _) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 2, "STATS = 25");
        Assert.True(backup.Succeeded);
        var percents = backup.Messages.Where(m => m.Number == SqlMessageNumbers.PercentProcessed).Select(m => m.Text).ToArray();
        Assert.Equal(["25 percent processed.", "50 percent processed.", "75 percent processed.", "100 percent processed."], percents);
    }
}
