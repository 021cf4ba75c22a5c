using OpenVdi.Tests.Infrastructure;

namespace OpenVdi.Tests;

/// <summary>
/// The hot path allocates nothing: once warm, sending, fetching, completing and running the completion routine
/// cost no managed allocation per command, on either side.
/// </summary>
public class SteadyStateTests
{
    [Fact(Timeout = 60000)]
    public async Task Commands_in_steady_state_allocate_nothing()
    {
        await Task.Yield();
        using var set = new Loopback().Active(buffers: 4);
        var device = set.ClientDevices[0]!;
        var server = set.ServerDevices[0]!;
        nint buffer = set.Allocate();
        long agentFirst = -1, agentLast = -1;
        int completions = 0;
        using var completed = new SemaphoreSlim(0);
        var command = new VdsCommand
        {
            CommandCode = VdCommandCode.VDC_Write,
            Size = 65536,
            Buffer = buffer,
            CompletionRoutine = c =>
            {
                // Measured on the agent's own thread, between routines.
                long now = GC.GetAllocatedBytesForCurrentThread();
                if (++completions == Warmup + 1)
                {
                    agentFirst = now;
                }

                agentLast = now;
                completed.Release();
            },
        };

        long clientBytes = 0;
        int failures = 0;
        for (int i = 0; i < Warmup + Measured; i++)
        {
            // Only VDI calls between the two readings: assertions allocate, so results are checked by hand.
            long before = GC.GetAllocatedBytesForCurrentThread();
            var sent = server.SendCommand(command);
            var got = device.GetCommand(10000, out var fetched);
            byte first = fetched is null ? (byte)0 : fetched.Data[0];
            var done = fetched is null ? VdiResult.VD_E_INVALID : device.CompleteCommand(fetched, 0, fetched.Size, 0);
            long after = GC.GetAllocatedBytesForCurrentThread();
            if (i >= Warmup)
            {
                clientBytes += after - before;
            }

            failures += (sent != VdiResult.NOERROR ? 1 : 0) + (got != VdiResult.NOERROR ? 1 : 0) + (done != VdiResult.NOERROR ? 1 : 0) + first;
            if (!completed.Wait(10000))
            {
                Assert.Fail("The completion routine did not run.");
            }
        }

        Assert.Equal(0, failures);
        Assert.Equal(0, clientBytes);
        Assert.Equal(0, agentLast - agentFirst);
    }

    private const int Warmup = 2000;
    private const int Measured = 10000;
}
