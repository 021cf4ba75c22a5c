using OpenVdi.Tests.Infrastructure;

namespace OpenVdi.Tests;

/// <summary>
/// Commands flushed with ERROR_IO_DEVICE are never delivered, and their slots come back to the server only once
/// the client has walked past them: the ring stays whole however early the agent retires them.
/// </summary>
public class FlushedCommandTests
{
    [Fact(Timeout = 20000)]
    public async Task A_flushed_command_retired_before_the_client_walks_past_it_is_skipped()
    {
        await Task.Yield();
        using var loopback = new Loopback().Active();
        var completed = new List<VdsCommand>();
        for (int i = 0; i < 3; i++)
        {
            loopback.Send(0, VdCommandCode.VDC_Write, 512, loopback.Allocate(), completed);
        }

        Loopback.Expect(loopback.ClientDevices[0]!.GetCommand(1000, out var first));
        Loopback.Expect(loopback.ClientDevices[0]!.CompleteCommand(first!, Win32Error.ERROR_DISK_FULL, 0, 0));

        // The agent retires the two flushed writes before the client looks again.
        Loopback.WaitForCompletions(completed, 3);
        Assert.Equal(2, completed.Count(c => c.CompletionCode == Win32Error.ERROR_IO_DEVICE));

        Assert.Equal(VdiResult.VD_E_TIMEOUT, loopback.ClientDevices[0]!.GetCommand(0, out _));
        Assert.False(loopback.Client.IsAborted);

        // ClearError, then the device works again.
        loopback.Send(0, VdCommandCode.VDC_ClearError, completed: completed);
        Loopback.Expect(loopback.ClientDevices[0]!.GetCommand(1000, out var clear));
        Assert.Equal(VdCommandCode.VDC_ClearError, clear!.CommandCode);
        Loopback.Expect(loopback.ClientDevices[0]!.CompleteCommand(clear, 0, 0, 0));
        loopback.Send(0, VdCommandCode.VDC_Flush, completed: completed);
        Loopback.Expect(loopback.ClientDevices[0]!.GetCommand(1000, out var flush));
        Assert.Equal(VdCommandCode.VDC_Flush, flush!.CommandCode);
    }

    [Fact(Timeout = 20000)]
    public async Task The_server_never_runs_a_ring_ahead_of_the_clients_tail()
    {
        await Task.Yield();
        using var loopback = new Loopback().Active(buffers: 1);
        var device = loopback.ServerDevices[0]!;
        var completed = new List<VdsCommand>();

        // Fill the ring with commands the client has not fetched; the server must refuse the next one.
        for (int i = 0; i < Transport.ControlSegmentDescriptor.SlotsPerDevice; i++)
        {
            loopback.Send(0, VdCommandCode.VDC_Flush, completed: completed);
        }

        var refused = new VdsCommand { CommandCode = VdCommandCode.VDC_Flush };
        Assert.Equal(VdiResult.VD_E_QUEUE_FULL, device.SendCommand(refused));
        Assert.Equal(Win32Error.ERROR_NO_SYSTEM_RESOURCES, refused.CompletionCode);

        // The client fails the first command: the other 127 are flushed and retired, yet the tail has passed only the
        // first, so the server may reuse that one slot and not the flushed ones.
        Loopback.Expect(loopback.ClientDevices[0]!.GetCommand(1000, out var first));
        Loopback.Expect(loopback.ClientDevices[0]!.CompleteCommand(first!, Win32Error.ERROR_WRITE_FAULT, 0, 0));
        Loopback.WaitForCompletions(completed, Transport.ControlSegmentDescriptor.SlotsPerDevice);
        loopback.Send(0, VdCommandCode.VDC_ClearError, completed: completed);
        var beyond = new VdsCommand { CommandCode = VdCommandCode.VDC_ClearError };
        Assert.Equal(VdiResult.VD_E_QUEUE_FULL, device.SendCommand(beyond));

        // The client walks past the flushed commands to the ClearError; then the ring is free again.
        Loopback.Expect(loopback.ClientDevices[0]!.GetCommand(1000, out var clear));
        Assert.Equal(VdCommandCode.VDC_ClearError, clear!.CommandCode);
        Loopback.Expect(loopback.ClientDevices[0]!.CompleteCommand(clear, 0, 0, 0));
        loopback.Send(0, VdCommandCode.VDC_Flush, completed: completed);
        Loopback.Expect(loopback.ClientDevices[0]!.GetCommand(1000, out var flush));
        Assert.Equal(VdCommandCode.VDC_Flush, flush!.CommandCode);
    }
}
