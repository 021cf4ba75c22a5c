using OpenVdi.SqlServer.TestPeer;
using OpenVdi.SqlServer.Tests.Infrastructure;
using static OpenVdi.VdiResult;

namespace OpenVdi.SqlServer.Tests.Contract;

/// <summary>The IO-ERROR state as a client sees it (spec §5.4), for every implementation.</summary>
[Collection(BindingCollection.Name)]
public sealed class IoErrorTests(BindingFixture fixture)
{
    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task After_an_error_the_queued_commands_never_reach_the_client_and_ClearError_comes_once_every_fetched_command_is_completed(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation).Active();
        var device = set.ClientDevices[0]!;
        var failing = set.Send(0, VdCommandCode.VDC_Write, 512, set.Allocate());
        var before = set.Send(0, VdCommandCode.VDC_Flush);
        var queued = set.Send(0, VdCommandCode.VDC_Write, 512, set.Allocate());
        var first = set.Fetch();
        var second = set.Fetch();
        Assert.Equal(VdCommandCode.VDC_Flush, second.CommandCode);

        Assert.Equal(NOERROR, device.CompleteCommand(first, Win32Error.ERROR_DISK_FULL, 0, 0));
        Assert.Equal(Win32Error.ERROR_DISK_FULL, set.Log.WaitFor(failing).Code);
        Assert.Equal(Win32Error.ERROR_IO_DEVICE, set.Log.WaitFor(queued).Code);

        var clear = set.Send(0, VdCommandCode.VDC_ClearError);
        Assert.Equal(VD_E_TIMEOUT, device.GetCommand(0, out var early));
        Assert.Null(early);

        Assert.Equal(NOERROR, device.CompleteCommand(second, Win32Error.ERROR_SUCCESS, 0, 0));
        Assert.Equal(Win32Error.ERROR_SUCCESS, set.Log.WaitFor(before).Code);
        var clearing = set.Fetch();
        Assert.Equal(VdCommandCode.VDC_ClearError, clearing.CommandCode);
        Assert.Equal(NOERROR, device.CompleteCommand(clearing, Win32Error.ERROR_SUCCESS, 0, 0));
        Assert.Equal(Win32Error.ERROR_SUCCESS, set.Log.WaitFor(clear).Code);

        // Active again: the next command arrives.
        var next = set.Send(0, VdCommandCode.VDC_Flush);
        Assert.Equal(NOERROR, device.CompleteCommand(set.Fetch(), Win32Error.ERROR_SUCCESS, 0, 0));
        Assert.Equal(Win32Error.ERROR_SUCCESS, set.Log.WaitFor(next).Code);
    }
}
