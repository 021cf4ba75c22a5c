using OpenVdi.Engine.Faults;
using OpenVdi.Engine.Messages;
using OpenVdi.Engine.Tests.Execution.Infrastructure;

namespace OpenVdi.Engine.Tests.Execution;

/// <summary>The faults the engine injects for clients under test, each seen from the client's side.</summary>
public class FaultInjectionTests
{
    [Fact(Timeout = 120000)]
    public async Task Extra_flushes_arrive_before_the_end_and_the_backup_still_succeeds()
    {
        using var fixture = new EngineFixture(faults: FaultPlan.Parse("flush-every=256KiB"));
        var flushes = new int[2];
        var writesAfterFlush = new int[2];
        var (outcome, _) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 2, intercept: (device, command) =>
        {
            if (command.CommandCode == VdCommandCode.VDC_Flush)
            {
                flushes[device]++;
            }
            else if (command.CommandCode == VdCommandCode.VDC_Write && flushes[device] > 0)
            {
                writesAfterFlush[device]++;
            }

            return null;
        });
        Assert.True(outcome.Succeeded, string.Join(" | ", outcome.Messages));
        Assert.All(flushes, f => Assert.True(f > 2, $"Only {f} flushes on a device."));
        Assert.All(writesAfterFlush, w => Assert.True(w > 0, "No write came after a flush: the flushes were not mid-stream."));
    }

    [Fact(Timeout = 120000)]
    public async Task An_unsupported_command_is_answered_then_cleared_and_the_backup_goes_on()
    {
        using var fixture = new EngineFixture(faults: new FaultPlan { UnsupportedCommand = VdCommandCode.VDC_GetPosition });
        var seen = new List<VdCommandCode>();
        var (outcome, stripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 1, intercept: (_, command) =>
        {
            seen.Add(command.CommandCode);
            return null;
        });
        Assert.True(outcome.Succeeded, string.Join(" | ", outcome.Messages));
        Assert.Equal([VdCommandCode.VDC_GetPosition, VdCommandCode.VDC_ClearError, VdCommandCode.VDC_Write], seen.Take(3));
        var restore = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE DATABASE [probe_copy]", stripes);
        Assert.True(restore.Succeeded);
        fixture.AssertSameFiles("probe_copy");
    }

    [Fact(Timeout = 120000)]
    public async Task Abort_after_N_bytes_ends_the_backup_with_3204_and_the_client_sees_VD_E_ABORT()
    {
        using var fixture = new EngineFixture(faults: FaultPlan.Parse("abort-after=512KiB"));
        var (outcome, stripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 2);
        Assert.False(outcome.Succeeded);
        Assert.Equal(SqlMessageNumbers.BackupOrRestoreAborted, outcome.FirstError!.Number);
        Assert.True(stripes.Sum(s => s.Length) < fixture.Database.Files.Sum(f => new FileInfo(fixture.Database.GetFullPath(f)).Length));
    }

    [Fact(Timeout = 120000)]
    public async Task A_device_closed_early_fails_the_backup()
    {
        using var fixture = new EngineFixture(faults: FaultPlan.Parse("close-device=0@64KiB"));
        bool closedEarly = false;
        var (outcome, _) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 2, intercept: (device, command) =>
        {
            closedEarly |= device == 0 && command.CommandCode == VdCommandCode.VDC_Flush;
            return null;
        });
        Assert.False(closedEarly, "Device 0 got a Flush: it was not closed early.");
        Assert.False(outcome.Succeeded);
        Assert.Equal(SqlMessageNumbers.TerminatingAbnormally, outcome.Messages[^1].Number);
    }

    [Fact(Timeout = 120000)]
    public async Task A_client_that_stops_answering_is_timed_out_by_the_server()
    {
        using var fixture = new EngineFixture(faults: FaultPlan.Parse("client-timeout=300ms"));
        using var release = new ManualResetEventSlim();
        int writes = 0;
        var (outcome, _) = await MemoryBackupClient.BackupAsync(
            fixture.Engine,
            "sales",
            1,
            intercept: (_, command) =>
            {
                if (command.CommandCode == VdCommandCode.VDC_Write && Interlocked.Increment(ref writes) == 2)
                {
                    // The client hangs on its second write until the server has given up on it.
                    Assert.True(release.Wait(TimeSpan.FromSeconds(30)), "The server never gave up on a client that stopped answering.");
                }

                return null;
            },
            sink: new ReleaseOnError(release));
        Assert.False(outcome.Succeeded);
        Assert.Equal(SqlMessageNumbers.BackupOrRestoreAborted, outcome.FirstError!.Number);
    }

    [Fact(Timeout = 120000)]
    public async Task A_slow_server_still_produces_a_sound_backup()
    {
        using var fixture = new EngineFixture(sampleSize: 512 * 1024, faults: FaultPlan.Parse("delay=1ms,stall-after=128KiB:50ms"));
        var (outcome, stripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 2);
        Assert.True(outcome.Succeeded, string.Join(" | ", outcome.Messages));
        var verify = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE VERIFYONLY", stripes);
        Assert.True(verify.Succeeded);
    }

    [Theory]
    [InlineData("bogus=1")]
    [InlineData("flush-every=lots")]
    [InlineData("unsupported=VDC_Write")]
    [InlineData("close-device=x@1MiB")]
    public void A_malformed_fault_is_refused_with_its_name(string text) =>
        Assert.Throws<FormatException>(() => FaultPlan.Parse(text));

    /// <summary>Lets the hung client go once the engine has reported the statement's failure.</summary>
    private sealed class ReleaseOnError(ManualResetEventSlim release) : Engine.Execution.IStatementSink
    {
        public void OnMessage(SqlMessage message)
        {
            if (message.IsError)
            {
                release.Set();
            }
        }

        public void OnResultSet(Engine.Execution.ResultSet resultSet)
        {
        }
    }
}
