using OpenVdi.Tests.Infrastructure;
using OpenVdi.Transport;
using static OpenVdi.Transport.ControlSegmentDescriptor;

namespace OpenVdi.Tests;

/// <summary>
/// The peer is not trusted: a value forged in shared memory gives VD_E_UNEXPECTED and aborts the set, or is
/// refused; it never crashes the process, hangs it, or leads to an access outside the mapping.
/// </summary>
public class CorruptSegmentTests
{
    private static readonly VdiResult[] s_allowed =
    [
        VdiResult.NOERROR, VdiResult.VD_E_TIMEOUT, VdiResult.VD_E_CLOSE, VdiResult.VD_E_ABORT, VdiResult.VD_E_UNEXPECTED,
        VdiResult.VD_E_INVALID, VdiResult.VD_E_PROTOCOL, VdiResult.VD_E_QUEUE_FULL, VdiResult.VD_E_IO_ERROR,
    ];

    public static TheoryData<string, long, int> ForgedSlotFields => new()
    {
        { "command code outside 1..19", SlotCommandOffset, 99 },
        { "buffer index past the area", SlotBufferOffset, 60000 },
        { "size larger than the buffer", SlotSizeOffset, int.MaxValue },
        { "sequence of another lap", SlotSequenceOffset, 12345 },
        { "state that is no state", SlotStateOffset, 77 },
    };

    [Theory(Timeout = 30000)]
    [MemberData(nameof(ForgedSlotFields))]
    public async Task A_forged_command_slot_gives_VD_E_UNEXPECTED_and_aborts_the_set(string what, long field, int value)
    {
        await Task.Yield();
        using var set = new Loopback().Active();
        var completed = new List<VdsCommand>();
        set.Send(0, VdCommandCode.VDC_Write, 65536, set.Allocate(), completed);
        HostileWriter.WriteInt32(HostileWriter.ControlPath(set.Name), HostileWriter.Slot(0, 0) + field, value);

        Assert.True(VdiResult.VD_E_UNEXPECTED == set.ClientDevices[0]!.GetCommand(0, out var command), $"A slot with a {what} was not refused.");
        Assert.Null(command);
        Assert.True(set.Client.IsAborted);
        Assert.Equal(VdiResult.VD_E_ABORT, set.ClientDevices[0]!.GetCommand(0, out _));
        Assert.Equal(VdiResult.VD_E_ABORT, set.AgentResult());
        Loopback.WaitForCompletions(completed, 1);
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, completed[0].CompletionCode);
    }

    [Fact(Timeout = 30000)]
    public async Task A_head_running_past_the_ring_gives_VD_E_UNEXPECTED()
    {
        await Task.Yield();
        using var set = new Loopback().Active();
        HostileWriter.WriteInt32(HostileWriter.ControlPath(set.Name), HostileWriter.Device(0) + DeviceHeadOffset, 1000);
        Assert.Equal(VdiResult.VD_E_UNEXPECTED, set.ClientDevices[0]!.GetCommand(0, out _));
        Assert.Equal(VdiResult.VD_E_ABORT, set.AgentResult());
    }

    [Fact(Timeout = 30000)]
    public async Task A_forged_device_state_makes_SendCommand_answer_VD_E_UNEXPECTED()
    {
        await Task.Yield();
        using var set = new Loopback().Active();
        HostileWriter.WriteInt32(HostileWriter.ControlPath(set.Name), HostileWriter.Device(0) + DeviceStateOffset, 5);
        Assert.Equal(VdiResult.VD_E_UNEXPECTED, set.ServerDevices[0]!.SendCommand(new VdsCommand { CommandCode = VdCommandCode.VDC_Flush }));
        Assert.True(set.Server.IsAborted);
    }

    [Fact(Timeout = 30000)]
    public async Task A_client_reporting_more_bytes_than_asked_aborts_the_set_at_the_server()
    {
        await Task.Yield();
        using var set = new Loopback().Active();
        var completed = new List<VdsCommand>();
        set.Send(0, VdCommandCode.VDC_Write, 4096, set.Allocate(), completed);
        Assert.Equal(VdiResult.NOERROR, set.ClientDevices[0]!.GetCommand(1000, out var command));

        // A hostile client writes the completion itself, with a byte count the command never allowed.
        string path = HostileWriter.ControlPath(set.Name);
        long slot = HostileWriter.Slot(0, 0);
        HostileWriter.WriteInt32(path, slot + SlotBytesOffset, 1 << 30);
        HostileWriter.WriteInt32(path, slot + SlotStateOffset, (int)SlotState.Completed);
        HostileWriter.WriteInt64(path, DirtyDevicesOffset, 1);

        // No wake is sent: the agent finds the forged completion on its next liveness round.
        Assert.Equal(VdiResult.VD_E_ABORT, set.AgentResult());
        Assert.Equal("CorruptSegment", set.Server.AbortReasonText);
        Loopback.WaitForCompletions(completed, 1);
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, completed[0].CompletionCode);
        Assert.Equal(0u, completed[0].BytesTransferred);
        Assert.NotNull(command);
    }

    [Fact]
    public void A_control_segment_with_a_bad_header_is_refused_by_Open()
    {
        using var set = new Loopback().Created();
        string path = HostileWriter.ControlPath(set.Name);
        int version = HostileWriter.ReadInt32(path, LayoutVersionOffset);
        HostileWriter.WriteInt32(path, LayoutVersionOffset, 99);
        using (var server = new ServerVirtualDeviceSet())
        {
            Assert.Equal(VdiResult.VD_E_INVALID, server.Open(null, set.Name));
        }

        HostileWriter.WriteInt32(path, LayoutVersionOffset, version);
        HostileWriter.WriteInt32(path, DeviceCountOffset, 65);
        using (var server = new ServerVirtualDeviceSet())
        {
            Assert.Equal(VdiResult.VD_E_INVALID, server.Open(null, set.Name));
        }

        HostileWriter.WriteInt32(path, DeviceCountOffset, 1);
        HostileWriter.WriteInt32(path, MagicOffset, 0);
        using (var server = new ServerVirtualDeviceSet())
        {
            Assert.Equal(VdiResult.VD_E_INVALID, server.Open(null, set.Name));
        }
    }

    public static TheoryData<string, long, long> ForgedBufferTables => new()
    {
        { "data offset past the segment", BufferAreaDescriptor.EntryOffset(0) + BufferAreaDescriptor.EntryDataOffsetOffset, 1L << 40 },
        { "capacity past the segment", BufferAreaDescriptor.EntryOffset(0) + BufferAreaDescriptor.EntryCapacityOffset, int.MaxValue },
        { "buffer count past the table", BufferAreaDescriptor.BufferCountOffset, 70000 },
        { "another set's incarnation", BufferAreaDescriptor.IncarnationOffset, 7 },
    };

    [Theory(Timeout = 30000)]
    [MemberData(nameof(ForgedBufferTables))]
    public async Task A_forged_buffer_table_is_refused_when_the_client_maps_it(string what, long field, long value)
    {
        await Task.Yield();
        using var set = new Loopback().Configurable();
        Loopback.Expect(set.Server.RequestBuffers(65536, 0, 4));
        Loopback.Expect(set.Server.EndConfiguration());
        string path = HostileWriter.BufferPath(set.Name, 0);
        if (field == BufferAreaDescriptor.BufferCountOffset || field == BufferAreaDescriptor.EntryOffset(0) + BufferAreaDescriptor.EntryCapacityOffset)
        {
            HostileWriter.WriteInt32(path, field, (int)value);
        }
        else
        {
            HostileWriter.WriteInt64(path, field, value);
        }

        Assert.True(VdiResult.VD_E_UNEXPECTED == set.Client.GetConfiguration(1000, out _), $"A buffer table with a {what} was mapped.");
        Assert.True(set.Client.IsAborted);
    }

    [Fact(Timeout = 30000)]
    public async Task A_forged_buffer_segment_count_is_refused()
    {
        await Task.Yield();
        using var set = new Loopback().Initialized();
        Loopback.Expect(set.Server.OpenDevice(set.Name, out set.ServerDevices[0]));
        Loopback.Expect(set.Client.OpenDevice(set.Name, out set.ClientDevices[0]));
        string path = HostileWriter.ControlPath(set.Name);
        HostileWriter.WriteInt32(path, BufferSegmentCountOffset, 99);
        var completed = new List<VdsCommand>();
        set.Send(0, VdCommandCode.VDC_Write, 512, set.Allocate(), completed);
        HostileWriter.WriteInt32(path, HostileWriter.Slot(0, 0) + SlotBufferOffset, 9);
        Assert.Equal(VdiResult.VD_E_UNEXPECTED, set.ClientDevices[0]!.GetCommand(0, out _));
    }

    /// <summary>
    /// Random words written anywhere in a device record while commands are queued and delivered: every call
    /// answers one of the documented codes, nothing throws, nothing hangs, and the set still closes cleanly.
    /// </summary>
    [Fact(Timeout = 120000)]
    public async Task Random_corruption_of_a_device_record_never_crashes_or_hangs()
    {
        await Task.Yield();
        var random = new Random(20261121);
        int recordLength = DeviceRecordLength(SlotsPerDevice);
        for (int round = 0; round < 150; round++)
        {
            using var set = new Loopback().Active();
            nint buffer = set.Allocate();
            set.Send(0, VdCommandCode.VDC_Write, 4096, buffer);
            set.Send(0, VdCommandCode.VDC_Flush);
            Assert.Equal(VdiResult.NOERROR, set.ClientDevices[0]!.GetCommand(0, out var first));
            string path = HostileWriter.ControlPath(set.Name);
            for (int w = 0; w < 4; w++)
            {
                // Mostly the words that matter (indices, states, slot fields), sometimes anywhere in the record.
                long offset = random.Next(3) switch
                {
                    0 => HostileWriter.Device(0) + (random.Next(4) * CacheLinePair) + (random.Next(4) * 4),
                    1 => HostileWriter.Slot(0, (uint)random.Next(3)) + (random.Next(SlotLength / 4) * 4),
                    _ => HostileWriter.Device(0) + (random.Next(recordLength / 4) * 4),
                };
                int value = random.Next(4) switch { 0 => 0, 1 => random.Next(8), 2 => -1, _ => random.Next() };
                HostileWriter.WriteInt32(path, offset, value);
            }

            var results = new List<VdiResult>
            {
                set.ClientDevices[0]!.CompleteCommand(first!, 0, 4096, 0),
                set.ClientDevices[0]!.GetCommand(0, out var next),
                set.ServerDevices[0]!.SendCommand(new VdsCommand { CommandCode = VdCommandCode.VDC_Flush }),
                set.ClientDevices[0]!.GetCommand(0, out _),
            };
            if (next is not null)
            {
                results.Add(set.ClientDevices[0]!.CompleteCommand(next, 0, 0, 0));
            }

            Assert.All(results, r => Assert.Contains(r, s_allowed));
            set.Client.SignalAbort();
        }
    }
}
