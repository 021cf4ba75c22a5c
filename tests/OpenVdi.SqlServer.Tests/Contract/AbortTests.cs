using OpenVdi.SqlServer.TestPeer;
using OpenVdi.SqlServer.Tests.Infrastructure;
using static OpenVdi.VdiResult;

namespace OpenVdi.SqlServer.Tests.Contract;

/// <summary>Abort from either side, and Close with devices open, as a client sees them, for every implementation.</summary>
[Collection(BindingCollection.Name)]
public sealed class AbortTests(BindingFixture fixture)
{
    public enum Side
    {
        Client,
        Server,
    }

    public static TheoryData<ClientImplementation, Side> Sides() => Implementations.Each(Side.Client, Side.Server);

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Sides))]
    public async Task An_abort_wakes_every_waiting_call_with_VD_E_ABORT_and_fails_outstanding_commands_with_995(ClientImplementation implementation, Side side)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation, deviceCount: 2).Active();
        var outstanding = set.Send(0, VdCommandCode.VDC_Flush);
        var command = set.Fetch(0);
        var waiting = Waits.Asleep(() => set.ClientDevices[1]!.GetCommand(VdiTimeout.Infinite, out _), "GetCommand(INFINITE) on the second device");

        SetUnderTest.Expect(side == Side.Client ? set.Client.SignalAbort() : set.Server.SignalAbort());

        Assert.Equal(VD_E_ABORT, await waiting.Within("GetCommand(INFINITE) after the abort"));
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, set.Log.WaitFor(outstanding).Code);
        Assert.Equal(VD_E_ABORT, set.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 0, 0));
        Assert.Equal(VD_E_ABORT, set.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 0, 0));
        Assert.Equal(VD_E_ABORT, set.ClientDevices[0]!.GetCommand(0, out _));
        Assert.Equal(VD_E_ABORT, set.Client.GetConfiguration(0, out _));
        Assert.Equal(VD_E_ABORT, set.AgentResult());
        Assert.Single(set.Log.Runs, r => ReferenceEquals(r.Command, outstanding));
        Assert.Equal(NOERROR, set.Client.Close());
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Sides))]
    public async Task An_abort_wakes_a_GetConfiguration_waiting_with_no_timeout(ClientImplementation implementation, Side side)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation).Configurable();
        var waiting = Waits.Asleep(() => set.Client.GetConfiguration(VdiTimeout.Infinite, out _), "GetConfiguration(INFINITE)");
        SetUnderTest.Expect(side == Side.Client ? set.Client.SignalAbort() : set.Server.SignalAbort());
        Assert.Equal(VD_E_ABORT, await waiting.Within("GetConfiguration(INFINITE) after the abort"));
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task Close_with_open_devices_is_VD_E_OPEN_and_the_server_sees_the_abort(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation, deviceCount: 2).Active();
        var delivered = set.Send(0, VdCommandCode.VDC_Flush);
        var queued = set.Send(1, VdCommandCode.VDC_Flush);
        set.Fetch(0);

        Assert.Equal(VD_E_OPEN, set.Client.Close());
        Assert.Equal(VD_E_PROTOCOL, set.Client.GetConfiguration(0, out _));
        Assert.Equal(VD_E_ABORT, set.AgentResult());
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, set.Log.WaitFor(delivered).Code);
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, set.Log.WaitFor(queued).Code);
        Assert.True(set.Server.IsAborted, "The server's set did not abort when the client closed with open devices.");
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task Close_while_a_GetCommand_waits_returns_and_the_waiter_gets_VD_E_ABORT(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation).Active();
        var waiting = Waits.Asleep(() => set.ClientDevices[0]!.GetCommand(VdiTimeout.Infinite, out _), "GetCommand(INFINITE)");
        Assert.Equal(VD_E_OPEN, set.Client.Close());
        Assert.Equal(VD_E_ABORT, await waiting.Within("the GetCommand waiting while the set closed"));
    }
}
