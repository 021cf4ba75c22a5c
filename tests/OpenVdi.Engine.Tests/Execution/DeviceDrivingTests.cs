using OpenVdi.Engine.Tests.Execution.Infrastructure;

namespace OpenVdi.Engine.Tests.Execution;

/// <summary>How the engine drives a backup's devices without any fault: flushes on the way, then Flush and Complete.</summary>
public class DeviceDrivingTests
{
    [Fact(Timeout = 120000)]
    public async Task A_large_backup_flushes_more_than_once_and_ends_every_device_with_Flush_then_Complete()
    {
        // The flush interval scaled down with the database: 3 MiB over 2 devices, a Flush after every 512 KiB.
        using var fixture = new EngineFixture(flushInterval: 512 * 1024);
        var commands = new[] { new List<VdCommandCode>(), new List<VdCommandCode>() };
        var (outcome, stripes) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 2, intercept: (device, command) =>
        {
            commands[device].Add(command.CommandCode);
            return null;
        });

        Assert.True(outcome.Succeeded, string.Join(" | ", outcome.Messages));
        for (int device = 0; device < 2; device++)
        {
            var seen = commands[device];
            Assert.True(seen.Count >= 2, $"Device {device} saw only {seen.Count} commands.");

            // The client asked for VDF_RequestComplete: the last two are Flush, then Complete, and nothing follows.
            Assert.Equal([VdCommandCode.VDC_Flush, VdCommandCode.VDC_Complete], seen[^2..]);
            Assert.Equal(1, seen.Count(c => c == VdCommandCode.VDC_Complete));
            int midStream = seen.Take(seen.Count - 2).Count(c => c == VdCommandCode.VDC_Flush);
            Assert.True(midStream >= 1 || stripes[device].Length <= 512 * 1024, $"Device {device} wrote {stripes[device].Length} bytes with no Flush on the way.");
        }

        Assert.True(commands.Sum(c => c.Count(x => x == VdCommandCode.VDC_Flush)) > 2, "The backup flushed only at the end.");
    }
}
