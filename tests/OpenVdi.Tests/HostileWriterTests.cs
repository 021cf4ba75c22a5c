using OpenVdi.Testing;
using OpenVdi.Tests.Infrastructure;
using OpenVdi.Transport;
using static OpenVdi.Transport.ControlSegmentDescriptor;
using static OpenVdi.VdiResult;

namespace OpenVdi.Tests;

/// <summary>
/// A third process with write access to a set's files (the same user, or the group with group access) writes what it
/// likes into them while client and server work. What it may achieve is a failed set; what it must never achieve is a
/// set that waits for ever, a success with data nobody moved, memory sized from its numbers, or a file left behind.
/// Each test here is one way such a writer once got further than that (issue 8, items 1 to 9).
/// </summary>
public class HostileWriterTests
{
    /// <summary>How long an audit or a liveness probe may take to notice (it runs every 100 ms; generous for a loaded VM).</summary>
    private const int Noticed = 5000;

    [Fact(Timeout = 60000)]
    public async Task A_device_state_forged_to_IO_ERROR_mid_restore_fails_the_restore_instead_of_ending_it_short()
    {
        // Found by the long soak: the server took the refusal of its next read (IO-ERROR) for the end of the stream,
        // consumed the reads in flight, and reported a RESTORE of a few reads out of 40 as a success.
        string name = SetNames.Unique("ioerror");
        const int Transfers = 40;
        using var client = new ClientVirtualDeviceSet();
        Loopback.Expect(client.CreateEx(null, name, new VdConfig { DeviceCount = 1, Features = VdFeatures.VDF_LikePipe }));
        var options = new OpenVdi.Engine.Devices.StreamingOptions { MaxTransferSize = 65536, BufferCount = 4 };
        var server = Task.Factory.StartNew(
            () =>
            {
                using var streaming = OpenVdi.Engine.Devices.StreamingServer.Open(null, name, VdFeatures.VDF_ReadMedia, options, []);
                return streaming.RunRestore((_, _) => true);
            },
            TaskCreationOptions.LongRunning);
        Loopback.Expect(client.GetConfiguration(10000, out _));
        Loopback.Expect(client.OpenDevice(name, out var device));
        int served = 0;
        void Complete(VdcCommand command)
        {
            bool end = ++served > Transfers;
            Loopback.Expect(device!.CompleteCommand(command, end ? Win32Error.ERROR_HANDLE_EOF : Win32Error.ERROR_SUCCESS, end ? 0 : command.Size, 0));
        }

        // The server keeps 4 reads in flight (BUFFERCOUNT 4, one device): all 4 taken, none is queued. Then a third
        // party puts the device in IO-ERROR (the client itself never failed a command), and the 4 complete with
        // success: the server's next read is refused while reads are still in flight.
        var held = new List<VdcCommand>();
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(NOERROR, device!.GetCommand(10000, out var taken));
            held.Add(taken!);
        }

        HostileWriter.WriteInt32(HostileWriter.ControlPath(name), HostileWriter.Device(0) + DeviceStateOffset, 1);
        held.ForEach(Complete);
        while (device!.GetCommand(10000, out var command) == NOERROR)
        {
            Complete(command!);
        }

        var result = await server.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(result.Succeeded, $"The RESTORE was reported a success after {result.BytesPerDevice[0] / 65536} reads of {Transfers}.");
        Assert.Contains("IO-ERROR", result.Failure, StringComparison.Ordinal);
        client.Close();
        Assert.Empty(SetNames.SegmentsOf(name));
    }

    [Fact(Timeout = 30000)]
    public async Task A_device_state_that_is_no_state_aborts_the_set_and_the_refused_send_still_runs_its_routine()
    {
        // Found by the long soak: SendCommand refused the command without running its routine, and a check made after
        // the command was queued could refuse a command that was in fact sent.
        await Task.Yield();
        using var set = new Loopback().Active();
        var log = new CompletionLog();
        var sent = log.Command(VdCommandCode.VDC_Write, 65536, set.Allocate());
        Assert.Equal(NOERROR, set.ServerDevices[0]!.SendCommand(sent));
        HostileWriter.WriteInt32(HostileWriter.ControlPath(set.Name), HostileWriter.Device(0) + DeviceStateOffset, 293572118);

        var refused = log.Command(VdCommandCode.VDC_Write, 65536, set.Allocate());
        Assert.Equal(VD_E_UNEXPECTED, set.ServerDevices[0]!.SendCommand(refused));
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, Assert.Single(log.Of(refused)).Code);

        Assert.Equal(VD_E_ABORT, set.AgentResult(Noticed));
        Assert.Equal("CorruptSegment", set.Server.AbortReasonText);
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, log.WaitFor(sent).Code);
        Assert.Equal(2, log.Count);
    }

    [Fact(Timeout = 30000)]
    public async Task A_device_state_that_is_no_state_written_while_the_server_waits_is_found_by_its_audit()
    {
        await Task.Yield();
        using var set = new Loopback().Active();
        var log = new CompletionLog();
        var sent = log.Command(VdCommandCode.VDC_Write, 65536, set.Allocate());
        Assert.Equal(NOERROR, set.ServerDevices[0]!.SendCommand(sent));

        // Nobody sends or fetches again: only the server's audit can notice.
        HostileWriter.WriteInt32(HostileWriter.ControlPath(set.Name), HostileWriter.Device(0) + DeviceStateOffset, -7);

        Assert.Equal(VD_E_ABORT, set.AgentResult(Noticed));
        Assert.Equal("CorruptSegment", set.Server.AbortReasonText);
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, log.WaitFor(sent).Code);
    }

    [Theory(Timeout = 30000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_completed_command_forged_back_to_delivered_is_found_by_the_client_waiting_for_its_next(bool asynchronously)
    {
        // Found by the long soak (seed 16384395): a slot the client had completed was set back to Delivered before the
        // agent retired it. The agent waited for a completion the client had already made, the client for a command
        // the server would never send: a RESTORE that neither side ever reported.
        await Task.Yield();
        using var set = new Loopback().Initialized(buffers: 4);
        Loopback.Expect(set.Server.OpenDevice(set.Name, out set.ServerDevices[0]));
        Loopback.Expect(set.Client.OpenDevice(set.Name, out set.ClientDevices[0]));
        var log = new CompletionLog();
        var flush = log.Command(VdCommandCode.VDC_Flush);
        Assert.Equal(NOERROR, set.ServerDevices[0]!.SendCommand(flush));
        Assert.Equal(NOERROR, set.ClientDevices[0]!.GetCommand(1000, out var fetched));
        Assert.Equal(NOERROR, set.ClientDevices[0]!.CompleteCommand(fetched!, Win32Error.ERROR_SUCCESS, 0, 0));

        HostileWriter.WriteInt32(HostileWriter.ControlPath(set.Name), HostileWriter.Slot(0, 0) + SlotStateOffset, (int)SlotState.Delivered);
        set.StartAgent();
        var device = (ClientVirtualDevice)set.ClientDevices[0]!;
        var next = asynchronously
            ? device.GetCommandAsync(CancellationToken.None).AsTask().ContinueWith(t => t.Result.Result, TaskScheduler.Default)
            : Waits.OnOwnThread(() => device.GetCommand(VdiTimeout.Infinite, out _));

        // The synchronous wait found it itself; an asynchronous one is ended by the doorbell's waiter, which found it.
        Assert.Equal(asynchronously ? VD_E_ABORT : VD_E_UNEXPECTED, await next.Within("The client's GetCommand, waiting while its completed command shows as delivered", Noticed));
        Assert.Equal(VD_E_ABORT, set.AgentResult(Noticed));
        Assert.Equal("CorruptSegment", set.Server.AbortReasonText);
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, log.WaitFor(flush).Code);
    }

    [Fact(Timeout = 30000)]
    public async Task A_forged_closed_flag_while_streaming_aborts_the_set_instead_of_leaving_the_server_waiting()
    {
        await Task.Yield();
        using var set = new Loopback().Active();
        var log = new CompletionLog();
        var first = log.Command(VdCommandCode.VDC_Write, 65536, set.Allocate());
        Assert.Equal(NOERROR, set.ServerDevices[0]!.SendCommand(first));
        Assert.Equal(NOERROR, set.ClientDevices[0]!.GetCommand(1000, out var fetched));
        Assert.Equal(NOERROR, set.ClientDevices[0]!.CompleteCommand(fetched!, 0, fetched!.Size, 0));
        log.WaitFor(first);

        // The device is caught up; a writer says the server closed it. The client believes it (it cannot tell), ends
        // the device and closes; the server, which still sends, must not wait for ever for completions.
        HostileWriter.WriteInt32(HostileWriter.ControlPath(set.Name), HostileWriter.Device(0) + DeviceClosedOffset, 1);
        var second = log.Command(VdCommandCode.VDC_Write, 65536, set.Allocate());
        set.ServerDevices[0]!.SendCommand(second);

        Assert.Equal(VD_E_ABORT, set.AgentResult(Noticed));
        Assert.Equal("CorruptSegment", set.Server.AbortReasonText);
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, log.WaitFor(second).Code);
    }

    [Fact(Timeout = 30000)]
    public async Task A_closed_flag_forged_before_the_server_opens_the_device_is_not_believed()
    {
        await Task.Yield();
        using var set = new Loopback().Initialized();
        HostileWriter.WriteInt32(HostileWriter.ControlPath(set.Name), HostileWriter.Device(0) + DeviceClosedOffset, 1);
        HostileWriter.WriteInt32(HostileWriter.ControlPath(set.Name), HostileWriter.Device(0) + DeviceHeadOffset, 0);
        Loopback.Expect(set.Server.OpenDevice(set.Name, out set.ServerDevices[0]));
        set.StartAgent();
        Loopback.Expect(set.Client.OpenDevice(set.Name, out set.ClientDevices[0]));

        var log = new CompletionLog();
        var write = log.Command(VdCommandCode.VDC_Write, 65536, set.Allocate());
        Assert.Equal(NOERROR, set.ServerDevices[0]!.SendCommand(write));
        Assert.Equal(NOERROR, set.ClientDevices[0]!.GetCommand(1000, out var fetched));
        Assert.Equal(VdCommandCode.VDC_Write, fetched!.CommandCode);
        Assert.Equal(NOERROR, set.ClientDevices[0]!.CompleteCommand(fetched, 0, fetched.Size, 0));
        Assert.Equal(Win32Error.ERROR_SUCCESS, log.WaitFor(write).Code);

        // Caught up, the device is still open: the forged flag from before the server opened it is gone.
        Assert.Equal(VD_E_TIMEOUT, set.ClientDevices[0]!.GetCommand(0, out _));
        Assert.Equal(NOERROR, set.ServerDevices[0]!.CloseDevice());
        Assert.Equal(VD_E_CLOSE, set.ClientDevices[0]!.GetCommand(1000, out _));
        Assert.Equal(NOERROR, set.AgentResult());
    }

    [Theory(Timeout = 30000)]
    [InlineData(0)]
    [InlineData(99)]
    public async Task A_set_state_that_is_no_state_ends_a_waiting_GetConfiguration_with_VD_E_UNEXPECTED(int forged)
    {
        using var set = new Loopback().Connected();
        var waiting = Waits.OnOwnThread(() => set.Client.GetConfiguration(VdiTimeout.Infinite, out _));
        Waits.UntilBlockedOnSetEvent(set.Client);
        HostileWriter.WriteInt32(HostileWriter.ControlPath(set.Name), SetStateOffset, forged);

        // A wake of the set's event, as any set event gives: the waiter looks at the state and must not wait on.
        set.Client.Control!.Bump(ConfigEventOffset);
        Assert.Equal(VD_E_UNEXPECTED, await waiting.Within($"GetConfiguration with the state word forged to {forged}", Noticed));
        Assert.True(set.Client.IsAborted, "A state that is no state did not abort the set.");
    }

    [Fact(Timeout = 30000)]
    public async Task A_set_state_going_back_below_what_the_client_saw_is_taken_for_corruption()
    {
        await Task.Yield();
        using var set = new Loopback().Initialized();
        HostileWriter.WriteInt32(HostileWriter.ControlPath(set.Name), SetStateOffset, (int)SharedSetState.Connected);
        Assert.Equal(VD_E_UNEXPECTED, set.Client.OpenDevice(set.Name, out var device));
        Assert.Null(device);
        Assert.True(set.Client.IsAborted);
    }

    [Fact(Timeout = 30000)]
    public async Task A_completion_whose_notification_was_erased_is_retired_all_the_same()
    {
        await Task.Yield();
        using var set = new Loopback().Initialized();
        Loopback.Expect(set.Server.OpenDevice(set.Name, out set.ServerDevices[0]));
        Loopback.Expect(set.Client.OpenDevice(set.Name, out set.ClientDevices[0]));
        var log = new CompletionLog();
        var write = log.Command(VdCommandCode.VDC_Write, 65536, set.Allocate());
        Assert.Equal(NOERROR, set.ServerDevices[0]!.SendCommand(write));
        Assert.Equal(NOERROR, set.ClientDevices[0]!.GetCommand(1000, out var fetched));
        Assert.Equal(NOERROR, set.ClientDevices[0]!.CompleteCommand(fetched!, 0, fetched!.Size, 0));

        // The agent is not running yet: the notification (the device's dirty bit) is erased before it could see it.
        HostileWriter.WriteInt64(HostileWriter.ControlPath(set.Name), DirtyDevicesOffset, 0);
        set.StartAgent();
        var run = log.WaitFor(write, Noticed);
        Assert.Equal(Win32Error.ERROR_SUCCESS, run.Code);
        Assert.Equal(65536u, run.Bytes);
        Assert.Equal(NOERROR, set.ServerDevices[0]!.CloseDevice());
        Assert.Equal(NOERROR, set.AgentResult());
    }

    [Fact(Timeout = 60000)]
    public async Task A_forged_primary_closed_flag_does_not_hide_the_primary_s_death()
    {
        string name = SetNames.Unique();
        using var client = PeerProcess.Start("client-hold", name, "1");
        await client.WaitForLineAsync("created");
        using var server = new ServerVirtualDeviceSet();
        Assert.Equal(NOERROR, server.Open(null, name));
        Assert.Equal(NOERROR, server.BeginConfiguration(VdFeatures.VDF_WriteMedia, 512, 0, 65536, 0));
        Assert.Equal(NOERROR, server.RequestBuffers(65536, 0, 2));
        Assert.Equal(NOERROR, server.EndConfiguration());
        Assert.Equal(NOERROR, server.OpenDevice(name, out var device));
        var agent = Waits.OnOwnThread(server.ExecuteCompletionAgent);
        Assert.Equal(NOERROR, server.AllocateBuffer(out nint buffer, 65536, 0));
        var log = new CompletionLog();
        var write = log.Command(VdCommandCode.VDC_Write, 65536, buffer);
        Assert.Equal(NOERROR, device!.SendCommand(write));
        await client.WaitForLineAsync("fetched VDC_Write");

        HostileWriter.WriteInt32(HostileWriter.ControlPath(name), PrimaryClosedOffset, 1);
        client.Kill();
        Assert.Equal(VD_E_ABORT, await agent.Within("The completion agent after the primary died under a forged 'closed' flag", Noticed));
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, log.WaitFor(write).Code);
        Assert.Equal(NOERROR, server.Close());
        Assert.Empty(SetNames.SegmentsOf(name));
    }

    [Fact(Timeout = 30000)]
    public async Task A_success_forged_on_a_command_nobody_fetched_is_not_counted()
    {
        await Task.Yield();
        using var set = new Loopback().Active();
        var log = new CompletionLog();
        var write = log.Command(VdCommandCode.VDC_Write, 65536, set.Allocate());
        Assert.Equal(NOERROR, set.ServerDevices[0]!.SendCommand(write));

        // The Write is queued, not fetched: a writer marks it completed, with success and every byte, and says so.
        string path = HostileWriter.ControlPath(set.Name);
        long slot = HostileWriter.Slot(0, 0);
        HostileWriter.WriteInt32(path, slot + SlotCompletionCodeOffset, 0);
        HostileWriter.WriteInt32(path, slot + SlotBytesOffset, 65536);
        HostileWriter.WriteInt32(path, slot + SlotStateOffset, (int)SlotState.Completed);
        HostileWriter.WriteInt64(path, DirtyDevicesOffset, 1);
        set.Client.Control!.Bump(AgentEventOffset);

        var run = log.WaitFor(write, Noticed);
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, run.Code);
        Assert.Equal(0u, run.Bytes);
        Assert.Equal(VD_E_ABORT, set.AgentResult(Noticed));
        Assert.Equal("CorruptSegment", set.Server.AbortReasonText);
    }

    [Theory(Timeout = 30000)]
    [InlineData("the byte count", SlotBytesOffset, 1)]
    [InlineData("the size, before the client fetched it", SlotSizeOffset, 512)]
    public async Task A_completion_whose_fields_changed_under_both_sides_is_not_believed(string what, int field, int value)
    {
        await Task.Yield();
        using var set = new Loopback().Initialized(serverFeatures: VdFeatures.VDF_ReadMedia);
        Loopback.Expect(set.Server.OpenDevice(set.Name, out set.ServerDevices[0]));
        Loopback.Expect(set.Client.OpenDevice(set.Name, out set.ClientDevices[0]));
        var log = new CompletionLog();
        var read = log.Command(VdCommandCode.VDC_Read, 65536, set.Allocate());
        Assert.Equal(NOERROR, set.ServerDevices[0]!.SendCommand(read));
        string path = HostileWriter.ControlPath(set.Name);
        long slot = HostileWriter.Slot(0, 0);
        if (field == SlotSizeOffset)
        {
            HostileWriter.WriteInt32(path, slot + field, value);
        }

        // The client fills what it was asked and answers with the bytes it filled: a short read ends a RESTORE stream,
        // so a count rewritten after its answer (or a size rewritten before it fetched) would cut the stream silently.
        Assert.Equal(NOERROR, set.ClientDevices[0]!.GetCommand(1000, out var fetched));
        fetched!.Data.Fill(0x5A);
        Assert.Equal(NOERROR, set.ClientDevices[0]!.CompleteCommand(fetched, 0, fetched.Size, 0));
        if (field == SlotBytesOffset)
        {
            HostileWriter.WriteInt32(path, slot + field, value);
        }

        set.StartAgent();
        var run = log.WaitFor(read, Noticed);
        Assert.True(run.Code == Win32Error.ERROR_OPERATION_ABORTED, $"A read whose {what} was changed completed with {run.Code} and {run.Bytes} bytes.");
        Assert.Equal(VD_E_ABORT, set.AgentResult(Noticed));
        Assert.Equal("CorruptSegment", set.Server.AbortReasonText);
    }

    [Fact(Timeout = 30000)]
    public async Task A_queued_command_whose_buffer_index_was_changed_is_not_delivered_with_another_buffer_s_bytes()
    {
        await Task.Yield();
        using var set = new Loopback().Active();
        nint sent = set.Allocate();
        nint other = set.Allocate();
        set.Server.GetBufferSpan(sent, 65536).Fill(0x11);
        set.Server.GetBufferSpan(other, 65536).Fill(0x22);
        var log = new CompletionLog();
        var write = log.Command(VdCommandCode.VDC_Write, 65536, sent);
        Assert.Equal(NOERROR, set.ServerDevices[0]!.SendCommand(write));

        string path = HostileWriter.ControlPath(set.Name);
        long slot = HostileWriter.Slot(0, 0);
        int index = HostileWriter.ReadInt32(path, slot + SlotBufferOffset);
        HostileWriter.WriteInt32(path, slot + SlotBufferOffset, index == 1 ? 2 : 1);

        Assert.Equal(VD_E_UNEXPECTED, set.ClientDevices[0]!.GetCommand(1000, out var fetched));
        Assert.Null(fetched);
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, log.WaitFor(write, Noticed).Code);
    }

    [Theory(Timeout = 30000)]
    [InlineData("a prefix zone of 32 MiB", 32 << 20, 0)]
    [InlineData("an alignment of 1 MiB", 0, 1 << 20)]
    [InlineData("an alignment that is no power of two", 0, 3000)]
    public async Task A_request_forged_before_the_server_opens_is_refused_before_anything_is_sized_from_it(string what, int prefixZone, int alignment)
    {
        await Task.Yield();
        using var set = new Loopback().Created();
        string path = HostileWriter.ControlPath(set.Name);
        HostileWriter.WriteInt32(path, RequestedConfigOffset + 8, prefixZone);
        HostileWriter.WriteInt32(path, RequestedConfigOffset + 12, alignment);

        Assert.True(set.Server.Open(null, set.Name) == VD_E_UNEXPECTED, $"The server opened a set whose request holds {what}.");
        Assert.Single(SetNames.SegmentsOf(set.Name));
        Assert.Equal(VD_E_ABORT, set.Client.GetConfiguration(1000, out _));
    }

    [Theory(Timeout = 30000)]
    [InlineData("a block size of 3000", 28, 3000)]
    [InlineData("a max transfer size of 0xFFFFFFFF", 36, -1)]
    [InlineData("an IO depth of 0", 32, 0)]
    [InlineData("a device count of 7", 0, 7)]
    [InlineData("no media direction", 4, 0)]
    [InlineData("a buffer area larger than the one made", 40, 1 << 30)]
    public async Task A_negotiated_configuration_no_server_makes_is_refused_by_GetConfiguration(string what, int field, int value)
    {
        await Task.Yield();
        using var set = new Loopback().Configurable();
        Loopback.Expect(set.Server.RequestBuffers(65536, 0, 2));
        Loopback.Expect(set.Server.EndConfiguration());
        HostileWriter.WriteInt32(HostileWriter.ControlPath(set.Name), NegotiatedConfigOffset + field, value);

        Assert.True(set.Client.GetConfiguration(1000, out var config) == VD_E_UNEXPECTED, $"GetConfiguration accepted {what}.");
        Assert.Equal(default, config);
        Assert.True(set.Client.IsAborted);
    }

    [Fact(Timeout = 30000)]
    public async Task An_abort_cleared_right_after_SignalAbort_stays_an_abort_on_both_sides()
    {
        await Task.Yield();
        using var set = new Loopback().Active();
        var log = new CompletionLog();
        var write = log.Command(VdCommandCode.VDC_Write, 65536, set.Allocate());
        Assert.Equal(NOERROR, set.ServerDevices[0]!.SendCommand(write));

        Assert.Equal(NOERROR, set.Client.SignalAbort());
        HostileWriter.WriteInt32(HostileWriter.ControlPath(set.Name), AbortReasonOffset, 0);

        Assert.Equal(VD_E_ABORT, set.ClientDevices[0]!.GetCommand(0, out var fetched));
        Assert.Null(fetched);
        Assert.Equal(VD_E_ABORT, set.Client.OpenDevice(set.Name, out _));
        Assert.Equal(VD_E_ABORT, set.AgentResult(Noticed));
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, log.WaitFor(write).Code);
        Assert.Equal("ClientSignalled", set.Server.AbortReasonText);
    }

    [Fact(Timeout = 60000)]
    public async Task A_primary_killed_after_the_server_closed_normally_leaves_no_segment()
    {
        string name = SetNames.Unique();
        using var client = PeerProcess.Start("client-hold", name, "1");
        await client.WaitForLineAsync("created");
        using (var server = new ServerVirtualDeviceSet())
        {
            Assert.Equal(NOERROR, server.Open(null, name));
            Assert.Equal(NOERROR, server.BeginConfiguration(VdFeatures.VDF_WriteMedia, 512, 0, 65536, 0));
            Assert.Equal(NOERROR, server.RequestBuffers(65536, 0, 1));
            Assert.Equal(NOERROR, server.EndConfiguration());
            Assert.Equal(NOERROR, server.OpenDevice(name, out var device));
            var log = new CompletionLog();
            var flush = log.Command(VdCommandCode.VDC_Flush);
            Assert.Equal(NOERROR, device!.SendCommand(flush));
            await client.WaitForLineAsync("fetched VDC_Flush");
            Assert.Equal(NOERROR, device.CloseDevice());
            Assert.Equal(NOERROR, server.Close());
        }

        client.Kill();
        Assert.Empty(SetNames.SegmentsOf(name));
    }

    [Fact(Timeout = 60000)]
    public async Task A_set_whose_primary_died_before_any_server_came_is_removed_by_the_next_CreateEx()
    {
        string stale = SetNames.Unique();
        using (var client = PeerProcess.Start("client-hold", stale, "1"))
        {
            await client.WaitForLineAsync("created");
            client.Kill();
        }

        // Tests running alongside may sweep it first; without a sweep, nothing would ever remove it.
        using var set = new Loopback().Created();
        Assert.Empty(SetNames.SegmentsOf(stale));
    }
}
