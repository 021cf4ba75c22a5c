using System.Diagnostics;
using OpenVdi.SqlServer.TestPeer;
using OpenVdi.SqlServer.Tests.Infrastructure;
using static OpenVdi.VdiResult;

namespace OpenVdi.SqlServer.Tests.Contract;

/// <summary>GetCommand and CompleteCommand: waits, order, completions and their misuse, for every implementation.</summary>
[Collection(BindingCollection.Name)]
public sealed class CommandTests(BindingFixture fixture)
{
    public static TheoryData<ClientImplementation, uint> Timeouts() => Implementations.Each(0u, 50u);

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Timeouts))]
    public async Task GetCommand_with_nothing_queued_is_VD_E_TIMEOUT_after_its_timeout(ClientImplementation implementation, uint timeoutMs)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation).Active();
        var clock = Stopwatch.StartNew();
        Assert.Equal(VD_E_TIMEOUT, set.ClientDevices[0]!.GetCommand(timeoutMs, out var command));
        Assert.True(clock.ElapsedMilliseconds >= (long)timeoutMs - 1, $"GetCommand({timeoutMs}) gave up after {clock.ElapsedMilliseconds} ms.");
        Assert.Null(command);
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task GetCommand_with_no_timeout_waits_until_the_server_sends(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation).Active();
        var waiting = Waits.Asleep(() => (set.ClientDevices[0]!.GetCommand(VdiTimeout.Infinite, out var command), command), "GetCommand(INFINITE)");
        set.Send(0, VdCommandCode.VDC_Flush);
        var (result, fetched) = await waiting.Within("GetCommand(INFINITE) after SendCommand");
        Assert.Equal(NOERROR, result);
        Assert.Equal(VdCommandCode.VDC_Flush, fetched!.CommandCode);
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task Commands_outstanding_together_arrive_in_order_and_complete_in_any_order_each_with_its_own_results(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation).Active(serverFeatures: VdFeatures.VDF_WriteMedia);
        var sent = new[]
        {
            set.Send(0, VdCommandCode.VDC_GetPosition),
            set.Send(0, VdCommandCode.VDC_Flush),
            set.Send(0, VdCommandCode.VDC_SetPosition, size: (uint)VdWhence.VDC_Beginning, position: 12345),
        };
        var fetched = sent.Select(_ => set.Fetch()).ToArray();
        Assert.Equal([VdCommandCode.VDC_GetPosition, VdCommandCode.VDC_Flush, VdCommandCode.VDC_SetPosition], fetched.Select(c => c.CommandCode));
        Assert.Equal((uint)VdWhence.VDC_Beginning, fetched[2].Size);
        Assert.Equal(12345ul, fetched[2].Position);
        Assert.All(fetched, c => Assert.True(c.IsOutstanding));

        var device = set.ClientDevices[0]!;
        Assert.Equal(NOERROR, device.CompleteCommand(fetched[2], Win32Error.ERROR_SUCCESS, 0, 12345));
        Assert.Equal(NOERROR, device.CompleteCommand(fetched[0], Win32Error.ERROR_SUCCESS, 0, 777));
        Assert.Equal(NOERROR, device.CompleteCommand(fetched[1], Win32Error.ERROR_SUCCESS, 0, 0));
        Assert.Equal(12345ul, set.Log.WaitFor(sent[2]).Position);
        Assert.Equal(777ul, set.Log.WaitFor(sent[0]).Position);
        Assert.Equal(Win32Error.ERROR_SUCCESS, set.Log.WaitFor(sent[1]).Code);
        Assert.All(fetched, c => Assert.False(c.IsOutstanding));
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task Completing_a_command_twice_is_VD_E_INVALID_and_the_server_hears_once(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation).Active();
        var sent = set.Send(0, VdCommandCode.VDC_Flush);
        var command = set.Fetch();
        Assert.Equal(NOERROR, set.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 0, 0));
        Assert.Equal(VD_E_INVALID, set.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 0, 0));
        set.Log.WaitFor(sent);

        // A completed command object is not handed out again at once, so a late second completion does not complete the
        // next command.
        var next = set.Send(0, VdCommandCode.VDC_Flush);
        var fetched = set.Fetch();
        Assert.NotSame(command, fetched);
        Assert.Equal(VD_E_INVALID, set.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 0, 0));
        Assert.True(fetched.IsOutstanding);
        Assert.Equal(NOERROR, set.ClientDevices[0]!.CompleteCommand(fetched, Win32Error.ERROR_SUCCESS, 0, 0));
        Assert.Equal(Win32Error.ERROR_SUCCESS, set.Log.WaitFor(next).Code);
        Assert.Single(set.Log.Runs, r => ReferenceEquals(r.Command, sent));
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task Completing_a_command_on_a_device_it_does_not_belong_to_is_VD_E_INVALID(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation, deviceCount: 2).Active();
        set.Send(0, VdCommandCode.VDC_Flush);
        var command = set.Fetch(0);
        Assert.Equal(VD_E_INVALID, set.ClientDevices[1]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 0, 0));
        Assert.True(command.IsOutstanding);
        Assert.Equal(NOERROR, set.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 0, 0));
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task More_bytes_transferred_than_the_size_is_VD_E_INVALID_and_the_command_stays_outstanding(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation).Active();
        var write = set.Send(0, VdCommandCode.VDC_Write, 4096, set.Allocate());
        var command = set.Fetch();
        Assert.Equal(VD_E_INVALID, set.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 4097, 0));
        Assert.True(command.IsOutstanding);
        Assert.Equal(4096, command.Data.Length);
        Assert.Equal(NOERROR, set.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 4096, 0));
        Assert.Equal(4096u, set.Log.WaitFor(write).Bytes);
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task After_CompleteCommand_the_buffer_is_no_longer_the_clients(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation).Active();
        set.Send(0, VdCommandCode.VDC_Write, 512, set.Allocate());
        var command = set.Fetch();
        Assert.Equal(NOERROR, set.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 512, 0));
        Assert.False(command.IsOutstanding);
        Assert.Throws<InvalidOperationException>(() => command.Data.Length);
        Assert.Throws<InvalidOperationException>(() => command.Memory.Length);
        Assert.Throws<InvalidOperationException>(() => command.PrefixZone.Length);
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task VD_E_CLOSE_comes_after_every_command_sent_before_the_close_and_keeps_coming(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation).Active();
        var sent = set.Send(0, VdCommandCode.VDC_Flush);
        SetUnderTest.Expect(set.ServerDevices[0]!.CloseDevice());
        var device = set.ClientDevices[0]!;
        var command = set.Fetch();
        Assert.Equal(VD_E_CLOSE, device.GetCommand(Waits.Prompt, out var none));
        Assert.Null(none);
        Assert.Equal(VD_E_CLOSE, device.GetCommand(0, out _));
        Assert.Equal(VD_E_CLOSE, device.GetCommand(VdiTimeout.Infinite, out _));

        // A command fetched before the close is completed after VD_E_CLOSE: the server waits for it.
        Assert.Equal(NOERROR, device.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 0, 0));
        Assert.Equal(Win32Error.ERROR_SUCCESS, set.Log.WaitFor(sent).Code);
        Assert.Equal(NOERROR, set.AgentResult());
        Assert.Equal(NOERROR, set.Client.Close());
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task CloseDevice_wakes_a_GetCommand_waiting_with_no_timeout(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation).Active();
        var waiting = Waits.Asleep(() => set.ClientDevices[0]!.GetCommand(VdiTimeout.Infinite, out _), "GetCommand(INFINITE)");
        SetUnderTest.Expect(set.ServerDevices[0]!.CloseDevice());
        Assert.Equal(VD_E_CLOSE, await waiting.Within("GetCommand(INFINITE) after CloseDevice"));
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task A_device_of_a_closed_set_answers_VD_E_PROTOCOL_and_its_commands_are_no_longer_outstanding(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation).Active();
        set.Send(0, VdCommandCode.VDC_Write, 512, set.Allocate());
        var command = set.Fetch();
        Assert.Equal(VD_E_OPEN, set.Client.Close());
        Assert.False(command.IsOutstanding);
        Assert.Throws<InvalidOperationException>(() => command.Data.Length);
        Assert.Equal(VD_E_PROTOCOL, set.ClientDevices[0]!.GetCommand(0, out _));
        Assert.Equal(VD_E_PROTOCOL, set.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 512, 0));
        Assert.Equal(VD_E_ABORT, set.AgentResult());
    }
}
