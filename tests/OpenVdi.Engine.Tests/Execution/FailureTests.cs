using OpenVdi.Engine.Messages;
using OpenVdi.Engine.Tests.Execution.Infrastructure;
using OpenVdi.Testing;

namespace OpenVdi.Engine.Tests.Execution;

/// <summary>How statements fail: SQL Server's message numbers, and an engine that stays healthy afterwards.</summary>
public class FailureTests
{
    [Fact(Timeout = 60000)]
    public async Task A_bad_statement_gets_SQL_Servers_syntax_error_without_touching_VDI()
    {
        using var fixture = new EngineFixture(sampleSize: 64 * 1024);
        var outcome = await fixture.Engine.ExecuteAsync("BACKUP DATABASE sales TO VIRTUAL_DEVICE = 'x' WITH BLOCKSIZE = 1000");
        Assert.False(outcome.Succeeded);
        Assert.Equal(SqlMessageNumbers.TerminatingAbnormally, outcome.Messages[^1].Number);
        var typo = await fixture.Engine.ExecuteAsync("BACKUP DATABSE sales TO VIRTUAL_DEVICE = 'x'");
        Assert.Equal(SqlMessageNumbers.IncorrectSyntax, typo.FirstError!.Number);
    }

    [Fact(Timeout = 60000)]
    public async Task An_unknown_database_gets_911()
    {
        using var fixture = new EngineFixture(sampleSize: 64 * 1024);
        var outcome = await fixture.Engine.ExecuteAsync("BACKUP DATABASE [nosuch] TO VIRTUAL_DEVICE = 'x'");
        Assert.Equal(SqlMessageNumbers.DatabaseDoesNotExist, outcome.FirstError!.Number);
        Assert.Equal("BACKUP DATABASE is terminating abnormally.", outcome.Messages[^1].Text);
    }

    [Fact(Timeout = 60000)]
    public async Task A_set_that_does_not_exist_gets_3201()
    {
        using var fixture = new EngineFixture(sampleSize: 64 * 1024);
        var engine = new Engine.Execution.StatementEngine(fixture.Engine.Options with { SetOpenTimeout = TimeSpan.Zero });
        var outcome = await engine.ExecuteAsync("BACKUP DATABASE [sales] TO VIRTUAL_DEVICE = 'no-such-set'");
        Assert.Equal(SqlMessageNumbers.CannotOpenBackupDevice, outcome.FirstError!.Number);
        Assert.Contains("VD_E_INVALID", outcome.FirstError.Text, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60000)]
    public async Task A_statement_naming_fewer_devices_than_the_set_has_gets_3261()
    {
        using var fixture = new EngineFixture(sampleSize: 64 * 1024);
        string set = "eng-" + Guid.NewGuid().ToString("N");
        using var vds = new ClientVirtualDeviceSet();
        Assert.Equal(VdiResult.NOERROR, vds.CreateEx(null, set, new VdConfig { DeviceCount = 2 }));
        var outcome = await fixture.Engine.ExecuteAsync($"BACKUP DATABASE [sales] TO VIRTUAL_DEVICE = '{set}'");
        Assert.Equal(SqlMessageNumbers.VirtualDeviceConfigurationUnusable, outcome.FirstError!.Number);
        Assert.Equal(VdiResult.VD_E_ABORT, vds.GetConfiguration(0, out _));
        Assert.Equal(VdiResult.NOERROR, vds.Close());
    }

    [Fact(Timeout = 120000)]
    public async Task A_client_that_answers_a_Write_with_disk_full_fails_the_BACKUP_with_3202_and_3013()
    {
        using var fixture = new EngineFixture();
        int writes = 0;
        // The third write of the set, on whichever device it falls: the engine gives the work to whichever device has a
        // free buffer, so a write counted on one chosen device may never come on a busy machine.
        var (outcome, _) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 2, intercept: (device, command) =>
            command.CommandCode == VdCommandCode.VDC_Write && Interlocked.Increment(ref writes) == 3
                ? new MemoryBackupClient.Answer(Win32Error.ERROR_DISK_FULL, 0)
                : null);
        Assert.False(outcome.Succeeded);
        Assert.Equal(SqlMessageNumbers.WriteFailed, outcome.FirstError!.Number);
        Assert.Contains("112(There is not enough space on the disk.)", outcome.FirstError.Text, StringComparison.Ordinal);
        Assert.Equal("BACKUP DATABASE is terminating abnormally.", outcome.Messages[^1].Text);
        Assert.DoesNotContain(outcome.Messages, m => m.Number == SqlMessageNumbers.SuccessfullyProcessed);
    }

    [Fact(Timeout = 120000)]
    public async Task A_client_killed_mid_backup_fails_the_statement_and_leaves_the_engine_healthy()
    {
        using var fixture = new EngineFixture();
        string set = "eng-" + Guid.NewGuid().ToString("N");
        using (var client = PeerProcess.Start("client-hold", set, "1"))
        {
            await client.WaitForLineAsync("created");
            var backup = fixture.Engine.ExecuteAsync($"BACKUP DATABASE [sales] TO VIRTUAL_DEVICE = '{set}'");
            await client.WaitForLineAsync("fetched VDC_Write");
            client.Kill();
            var outcome = await Within.Await(backup, TimeSpan.FromSeconds(10), "The engine did not end the statement after its client died.");
            Assert.False(outcome.Succeeded);
            Assert.Equal(SqlMessageNumbers.BackupOrRestoreAborted, outcome.FirstError!.Number);
            Assert.Equal(SqlMessageNumbers.TerminatingAbnormally, outcome.Messages[^1].Number);
        }

        var (next, stripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 2);
        Assert.True(next.Succeeded, string.Join(" | ", next.Messages));
        var restore = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE DATABASE [after_crash]", stripes);
        Assert.True(restore.Succeeded);
        fixture.AssertSameFiles("after_crash");
        Assert.Empty(Directory.GetFiles("/dev/shm", "openvdi.*" + set + "*"));
    }

    [Fact(Timeout = 60000)]
    public async Task Cancelling_a_statement_aborts_its_set()
    {
        using var fixture = new EngineFixture();
        string set = "eng-" + Guid.NewGuid().ToString("N");
        using var vds = new ClientVirtualDeviceSet();
        Assert.Equal(VdiResult.NOERROR, vds.CreateEx(null, set, new VdConfig { DeviceCount = 1 }));
        using var cancel = new CancellationTokenSource();
        var backup = fixture.Engine.ExecuteAsync($"BACKUP DATABASE [sales] TO VIRTUAL_DEVICE = '{set}'", cancellationToken: cancel.Token);
        Assert.Equal(VdiResult.NOERROR, vds.GetConfiguration(10000, out _));
        Assert.Equal(VdiResult.NOERROR, vds.OpenDevice(set, out var device));
        Assert.Equal(VdiResult.NOERROR, device!.GetCommand(10000, out _));
        cancel.Cancel();
        Assert.Equal(VdiResult.VD_E_ABORT, device.GetCommand(10000, out _));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => backup);
        Assert.Equal(VdiResult.NOERROR, vds.Close());
    }
}
