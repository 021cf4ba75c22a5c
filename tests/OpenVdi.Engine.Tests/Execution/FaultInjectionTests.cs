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
        var log = new ClientLog();
        var (outcome, _) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 2, log: log, intercept: (device, command) =>
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

        // The devices share the data as they free their buffers, so each carries its own amount: each gets a Flush
        // after every 256 KiB it wrote, and one at the end.
        for (int device = 0; device < 2; device++)
        {
            Assert.Equal((log.BytesOf(device) / (256 * 1024)) + 1, flushes[device]);
        }

        Assert.True(flushes.Sum() > 4, $"Only {flushes.Sum()} flushes over 3 MiB.");
        Assert.True(writesAfterFlush.Sum() > 0, "No write came after a flush: the flushes were not mid-stream.");
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
        var log = new ClientLog();
        var (outcome, stripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 2, log: log);
        Assert.False(outcome.Succeeded);
        Assert.Equal(SqlMessageNumbers.BackupOrRestoreAborted, outcome.FirstError!.Number);
        Assert.Equal(SqlMessageNumbers.TerminatingAbnormally, outcome.Messages[^1].Number);
        Assert.Equal(VdiResult.VD_E_ABORT, log.EndOf(0));
        Assert.Equal(VdiResult.VD_E_ABORT, log.EndOf(1));
        Assert.True(stripes.Sum(s => s.Length) < fixture.Database.Files.Sum(f => new FileInfo(fixture.Database.GetFullPath(f)).Length));
    }

    [Fact(Timeout = 120000)]
    public async Task A_device_closed_early_sees_VD_E_CLOSE_while_the_other_device_is_mid_stream_and_the_backup_fails()
    {
        using var fixture = new EngineFixture(faults: FaultPlan.Parse("close-device=0@1MiB"));
        var log = new ClientLog();
        using var device1Writing = new ManualResetEventSlim();
        bool flushedDevice0 = false;
        bool? device1WroteInTime = null;
        bool? device0EndedWhileDevice1Held = null;
        var (outcome, _) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 2, log: log, intercept: (device, command) =>
        {
            if (device == 0)
            {
                flushedDevice0 |= command.CommandCode == VdCommandCode.VDC_Flush;

                // Device 0 holds its first write until device 1 has one: with its buffers all in flight (far less
                // than the 1 MiB after which it is closed), device 0 cannot end before device 1 is mid-stream.
                if (command.CommandCode == VdCommandCode.VDC_Write && device1WroteInTime is null)
                {
                    device1WroteInTime = device1Writing.Wait(TimeSpan.FromSeconds(30));
                }
            }
            else if (command.CommandCode == VdCommandCode.VDC_Write && device0EndedWhileDevice1Held is null)
            {
                // Device 1 then holds its first write until device 0's loop ends: the end device 0 sees comes while
                // device 1 is mid-stream, before anything can end device 1.
                device1Writing.Set();
                device0EndedWhileDevice1Held = log.WaitForEnd(0, TimeSpan.FromSeconds(30));
            }

            return null;
        });
        Assert.True(device1WroteInTime, "Device 1 got no write while device 0 held its first one.");
        Assert.True(device0EndedWhileDevice1Held, "Device 0 did not end while device 1 held a write: it was not closed early.");
        Assert.Equal(VdiResult.VD_E_CLOSE, log.EndOf(0));
        Assert.False(flushedDevice0, "Device 0 got a Flush: it was not closed early, without one.");
        Assert.True(log.BytesOf(0) >= 1 << 20, $"Device 0 was closed after {log.BytesOf(0)} bytes, before the 1 MiB the plan says.");
        Assert.False(outcome.Succeeded);
        Assert.Equal(SqlMessageNumbers.WriteFailed, outcome.FirstError!.Number);
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
    public async Task A_slow_server_keeps_the_client_waiting_between_commands_and_the_backup_is_still_sound()
    {
        using var fixture = new EngineFixture(sampleSize: 512 * 1024, faults: FaultPlan.Parse("delay=250ms"));

        // A client whose waits last 20 ms: with a pause of 250 ms before every command, some of them must time out.
        var log = new ClientLog { WaitMilliseconds = 20 };
        var (outcome, stripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 2, log: log);
        Assert.True(outcome.Succeeded, string.Join(" | ", outcome.Messages));
        Assert.True(log.TimeoutsOf(0) + log.TimeoutsOf(1) > 0, "No 20 ms wait between two commands timed out: the server was not slow.");
        var verify = await MemoryBackupClient.RestoreAsync(fixture.Engine, "RESTORE VERIFYONLY", stripes);
        Assert.True(verify.Succeeded, string.Join(" | ", verify.Messages));
    }

    [Fact(Timeout = 120000)]
    public async Task A_stalled_server_sends_nothing_until_the_client_times_out_and_aborts_the_set()
    {
        using var fixture = new EngineFixture(faults: FaultPlan.Parse("stall-after=128KiB"));

        // The client gives up after one wait of 2 s without a command, and aborts, as a client with a timeout does.
        var log = new ClientLog { WaitMilliseconds = 2000, OnTimeout = _ => true };
        var (outcome, stripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 1, log: log);
        Assert.Equal(1, log.TimeoutsOf(0));
        Assert.Equal(VdiResult.VD_E_ABORT, log.EndOf(0));
        Assert.True(log.BytesOf(0) >= 128 * 1024, $"The client timed out after {log.BytesOf(0)} bytes, before the stall at 128 KiB.");
        Assert.True(stripes[0].Length < fixture.Database.Files.Sum(f => new FileInfo(fixture.Database.GetFullPath(f)).Length), "The whole database arrived: the server never stalled.");
        Assert.False(outcome.Succeeded);
        Assert.Equal(SqlMessageNumbers.BackupOrRestoreAborted, outcome.FirstError!.Number);
        Assert.Equal(SqlMessageNumbers.TerminatingAbnormally, outcome.Messages[^1].Number);
    }

    [Fact(Timeout = 120000)]
    public async Task Faults_sent_with_a_statement_apply_to_it_alone_on_top_of_the_engines_own()
    {
        using var fixture = new EngineFixture(faults: FaultPlan.Parse("flush-every=256KiB"));
        var withFaults = new List<VdCommandCode>();
        var without = new List<VdCommandCode>();

        var (first, _) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 1, faults: FaultPlan.Parse("unsupported=GetPosition"), intercept: (_, command) =>
        {
            withFaults.Add(command.CommandCode);
            return null;
        });
        var (second, _) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 1, intercept: (_, command) =>
        {
            without.Add(command.CommandCode);
            return null;
        });

        Assert.True(first.Succeeded, string.Join(" | ", first.Messages));
        Assert.True(second.Succeeded, string.Join(" | ", second.Messages));
        Assert.Equal([VdCommandCode.VDC_GetPosition, VdCommandCode.VDC_ClearError, VdCommandCode.VDC_Write], withFaults.Take(3));
        Assert.DoesNotContain(VdCommandCode.VDC_GetPosition, without);
        Assert.True(withFaults.Count(c => c == VdCommandCode.VDC_Flush) > 2, "The engine's flush-every did not apply with the statement's faults.");
        Assert.True(without.Count(c => c == VdCommandCode.VDC_Flush) > 2, "The engine's flush-every did not apply to the next statement.");
    }

    [Theory]
    [InlineData("bogus=1")]
    [InlineData("flush-every=lots")]
    [InlineData("unsupported=VDC_Write")]
    [InlineData("close-device=x@1MiB")]
    [InlineData("close-device=1")]
    [InlineData("flush-every=0")]
    [InlineData("stall-after=1MiB:2s:3s")]
    [InlineData("abort-after=99999999999GiB")]
    [InlineData("abort-after=1.5")]
    [InlineData("delay=forever")]
    [InlineData("delay=-1ms")]
    [InlineData("client-timeout=99999999s")]
    [InlineData("delay")]
    [InlineData("=1ms")]
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
