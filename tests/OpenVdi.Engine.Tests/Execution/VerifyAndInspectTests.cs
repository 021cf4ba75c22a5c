using OpenVdi.Engine.Messages;
using OpenVdi.Engine.Tests.Execution.Infrastructure;

namespace OpenVdi.Engine.Tests.Execution;

/// <summary>RESTORE VERIFYONLY, HEADERONLY, FILELISTONLY and LABELONLY over virtual devices.</summary>
public class VerifyAndInspectTests
{
    [Fact(Timeout = 120000)]
    public async Task VERIFYONLY_accepts_a_sound_backup_and_reports_a_flipped_byte_in_one_stripe()
    {
        using var fixture = new EngineFixture();
        var (_, stripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 3);
        var sound = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE VERIFYONLY", stripes);
        Assert.True(sound.Succeeded, string.Join(" | ", sound.Messages));
        Assert.Equal(SqlMessageNumbers.BackupSetValid, sound.Messages[^1].Number);

        // One byte in the middle of the second stripe's data.
        var damaged = stripes.Select(s => (byte[])s.Clone()).ToArray();
        damaged[1][damaged[1].Length / 2] ^= 0x20;
        var verify = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE VERIFYONLY", damaged);
        Assert.False(verify.Succeeded);

        // Where: the device that carried the second stripe, and the offset in it; then SQL Server's own two messages.
        Assert.Equal(SqlMessageNumbers.StripeDamaged, verify.FirstError!.Number);
        Assert.Matches(@"^eng-[0-9a-f]+\.2: damaged at offset [0-9]{1,3}(,[0-9]{3})*: ", verify.FirstError.Text);
        Assert.Equal(SqlMessageNumbers.BackupSetDamaged, verify.Messages[^2].Number);
        Assert.Equal("VERIFY DATABASE is terminating abnormally.", verify.Messages[^1].Text);

        // VERIFYONLY writes nothing.
        Assert.Single(fixture.Engine.Catalogue.List());
    }

    [Fact(Timeout = 120000)]
    public async Task WITH_CHECKSUM_refuses_a_backup_written_without_checksums_with_3187()
    {
        using var fixture = new EngineFixture();
        var (_, unchecked_) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 2, "NO_CHECKSUM");
        var (_, checkedStripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 2);

        var refused = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE VERIFYONLY", unchecked_, "CHECKSUM");
        var restored = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE DATABASE [copy]", unchecked_, "CHECKSUM");
        var accepted = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE VERIFYONLY", checkedStripes, "CHECKSUM");

        Assert.Equal(SqlMessageNumbers.ChecksumNotInBackupSet, refused.FirstError!.Number);
        Assert.Equal(SqlMessageNumbers.ChecksumNotInBackupSet, restored.FirstError!.Number);
        Assert.False(fixture.Engine.Catalogue.Exists("copy"));
        Assert.True(accepted.Succeeded, string.Join(" | ", accepted.Messages));
    }

    [Fact(Timeout = 120000)]
    public async Task Each_stripe_alone_answers_HEADERONLY_FILELISTONLY_and_LABELONLY()
    {
        using var fixture = new EngineFixture();
        var (_, stripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 3, "NAME = N'nightly', DESCRIPTION = 'full backup', COPY_ONLY");
        var header = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE HEADERONLY", [stripes[2]]);
        Assert.True(header.Succeeded, string.Join(" | ", header.Messages));
        var row = Assert.Single(header.ResultSets);
        Assert.Equal("sales", row.Value(0, "DatabaseName"));
        Assert.Equal("nightly", row.Value(0, "BackupName"));
        Assert.Equal("full backup", row.Value(0, "BackupDescription"));
        Assert.Equal(true, row.Value(0, "IsCopyOnly"));
        Assert.Equal(7, row.Value(0, "DeviceType"));

        var files = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE FILELISTONLY", [stripes[0]]);
        var list = Assert.Single(files.ResultSets);
        Assert.Equal(fixture.Database.Files.Select(f => f.LogicalName), list.Rows.Select(r => (string)r[0]!));
        Assert.Contains(list.Rows, r => (string)r[2]! == "L");

        var label = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE LABELONLY", [stripes[1]]);
        var media = Assert.Single(label.ResultSets);
        Assert.Equal(3, media.Value(0, "FamilyCount"));
        Assert.Equal(2, media.Value(0, "FamilySequenceNumber"));
    }
}
