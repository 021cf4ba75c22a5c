using OpenVdi.Testing;
using OpenVdi.Tests.Infrastructure;
using OpenVdi.Transport;
using static OpenVdi.Transport.ControlSegmentDescriptor;
using static OpenVdi.VdiResult;

namespace OpenVdi.Tests;

/// <summary>
/// A hostile peer in another process: a real TestPeer server or primary client writes garbage into the shared control
/// segment, through a mapping of its own, while this process waits in GetCommand or in the completion agent. The call
/// that finds it answers VD_E_UNEXPECTED (the completion agent, which runs no caller's request, VD_E_ABORT), the set
/// aborts in both processes, later calls answer VD_E_ABORT, nothing crashes or hangs, and no segment is left in
/// /dev/shm.
/// </summary>
public class HostilePeerProcessTests
{
    /// <summary>How long a wait that a forged value should end may take (it is noticed within one 100 ms liveness round).</summary>
    private const int Noticed = 5000;

    /// <summary>The words a hostile server writes into device 0's record, in order (the head last, as a real publish).</summary>
    private static (long Offset, int Value)[] ForgedRing(string forgery)
    {
        long slot = HostileWriter.Slot(0, 0);
        long head = HostileWriter.Device(0) + DeviceHeadOffset;
        return forgery switch
        {
            "a head past the ring" => [(head, 1000)],
            "a slot naming a buffer index past the area" =>
                [(slot + SlotSequenceOffset, 0), (slot + SlotCommandOffset, (int)VdCommandCode.VDC_Write), (slot + SlotSizeOffset, 65536),
                 (slot + SlotBufferOffset, 60001), (slot + SlotStateOffset, (int)SlotState.Queued), (head, 1)],
            "a slot with a command code outside 1..19" =>
                [(slot + SlotSequenceOffset, 0), (slot + SlotCommandOffset, 99), (slot + SlotStateOffset, (int)SlotState.Queued), (head, 1)],
            "a slot of another lap of the ring" =>
                [(slot + SlotSequenceOffset, 12345), (slot + SlotCommandOffset, (int)VdCommandCode.VDC_Flush), (slot + SlotStateOffset, (int)SlotState.Queued), (head, 1)],
            _ => throw new ArgumentException(forgery, nameof(forgery)),
        };
    }

    [Theory(Timeout = 60000)]
    [InlineData("a head past the ring")]
    [InlineData("a slot naming a buffer index past the area")]
    [InlineData("a slot with a command code outside 1..19")]
    [InlineData("a slot of another lap of the ring")]
    public async Task A_hostile_server_process_forging_the_ring_makes_the_waiting_GetCommand_answer_VD_E_UNEXPECTED_then_VD_E_ABORT(string forgery)
    {
        string name = SetNames.Unique();
        using var client = new ClientVirtualDeviceSet();
        Assert.Equal(NOERROR, client.CreateEx(null, name, new VdConfig { DeviceCount = 1 }));
        using var server = PeerProcess.Start("server-hostile", name, HostileWriter.ControlPath(name));
        Assert.Equal(NOERROR, client.GetConfiguration(30000, out _));
        Assert.Equal(NOERROR, client.OpenDevice(name, out var device));
        await server.WaitForLineAsync("ready");

        var waiting = Waits.OnOwnThread(() =>
        {
            var result = device!.GetCommand(VdiTimeout.Infinite, out var command);
            return (result, command);
        });
        Waits.UntilBlockedInGetCommand(client, 0);
        foreach (var (offset, value) in ForgedRing(forgery))
        {
            server.Send($"w32 {offset} {value}");
            await server.WaitForLineAsync("wrote");
        }

        var (answer, delivered) = await waiting.Within($"A GetCommand waiting while the server process forged {forgery}", Noticed);
        Assert.True(answer == VD_E_UNEXPECTED, $"A GetCommand waiting while the server process forged {forgery} answered {answer}.");
        Assert.Null(delivered);
        Assert.True(client.IsAborted, "The set did not abort on a corrupt segment.");
        Assert.Equal(VD_E_ABORT, device!.GetCommand(VdiTimeout.Poll, out _));
        Assert.Equal(VD_E_ABORT, await Waits.OnOwnThread(() => device.GetCommand(VdiTimeout.Infinite, out _)).Within("An infinite GetCommand in the aborted set"));
        Assert.Equal(VD_E_ABORT, client.OpenDevice(name, out _));

        // The abort reached the hostile process too: its completion agent returned, with the reason.
        server.Send("close");
        Assert.Equal("agent VD_E_ABORT CorruptSegment", await server.WaitForLineAsync("agent ", Noticed));
        Assert.Equal("closed NOERROR", await server.WaitForLineAsync("closed"));
        Assert.Equal(0, await server.WaitForExitAsync());
        Assert.Equal(NOERROR, client.Close());
        Assert.Empty(SetNames.SegmentsOf(name));
    }

    /// <summary>The words a hostile client writes over the slot of the Write it fetched, then the dirty mask.</summary>
    private static (long Offset, long Value, bool Wide)[] ForgedCompletion(string forgery)
    {
        long slot = HostileWriter.Slot(0, 0);
        (long, long, bool) dirty = (DirtyDevicesOffset, 1, true);
        return forgery switch
        {
            "a byte count larger than the command" =>
                [(slot + SlotBytesOffset, 1 << 30, false), (slot + SlotStateOffset, (int)SlotState.Completed, false), dirty],
            "a slot state that is no state" => [(slot + SlotStateOffset, 77, false), dirty],
            "a completion of another lap of the ring" =>
                [(slot + SlotSequenceOffset, 12345, false), (slot + SlotBytesOffset, 4096, false), (slot + SlotStateOffset, (int)SlotState.Completed, false), dirty],
            _ => throw new ArgumentException(forgery, nameof(forgery)),
        };
    }

    [Theory(Timeout = 60000)]
    [InlineData("a byte count larger than the command")]
    [InlineData("a slot state that is no state")]
    [InlineData("a completion of another lap of the ring")]
    public async Task A_hostile_client_process_forging_a_completion_aborts_the_waiting_completion_agent(string forgery)
    {
        using var set = await HostileClientSet.StartAsync();
        foreach (var (offset, value, wide) in ForgedCompletion(forgery))
        {
            await set.WriteAsync(offset, value, wide);
        }

        Assert.True(
            await set.Agent.Within($"The completion agent, after the client process forged {forgery},", Noticed) == VD_E_ABORT,
            $"The completion agent did not answer VD_E_ABORT after the client process forged {forgery}.");
        Assert.Equal("CorruptSegment", set.Server.AbortReasonText);

        // The forged completion is not believed: the Write completes once, aborted, with no bytes.
        var run = set.Log.WaitFor(set.Write);
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, run.Code);
        Assert.Equal(0u, run.Bytes);
        var flush = set.Log.Command(VdCommandCode.VDC_Flush);
        Assert.Equal(VD_E_ABORT, set.Device.SendCommand(flush));
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, set.Log.WaitFor(flush).Code);
        await set.CloseAsync();
    }

    [Fact(Timeout = 60000)]
    public async Task A_hostile_client_process_forging_the_device_state_makes_SendCommand_answer_VD_E_UNEXPECTED_then_VD_E_ABORT()
    {
        using var set = await HostileClientSet.StartAsync();
        await set.WriteAsync(HostileWriter.Device(0) + DeviceStateOffset, 5, wide: false);

        Assert.Equal(VD_E_UNEXPECTED, set.Device.SendCommand(set.Log.Command(VdCommandCode.VDC_Flush)));
        Assert.True(set.Server.IsAborted, "The set did not abort on a corrupt segment.");
        Assert.Equal(VD_E_ABORT, set.Device.SendCommand(set.Log.Command(VdCommandCode.VDC_Flush)));
        Assert.Equal(VD_E_ABORT, await set.Agent.Within("The completion agent, after SendCommand found a forged device state,", Noticed));
        Assert.Equal("CorruptSegment", set.Server.AbortReasonText);
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, set.Log.WaitFor(set.Write).Code);
        await set.CloseAsync();
    }

    /// <summary>
    /// A set whose primary client is a hostile TestPeer and whose server is this process: configured, one Write sent
    /// and fetched by the peer, and the completion agent asleep waiting for its completion.
    /// </summary>
    private sealed class HostileClientSet : IDisposable
    {
        private readonly PeerProcess _peer;

        private HostileClientSet(string name, PeerProcess peer)
        {
            Name = name;
            _peer = peer;
        }

        public string Name { get; }

        public ServerVirtualDeviceSet Server { get; } = new();

        public IServerVirtualDevice Device { get; private set; } = null!;

        public Task<VdiResult> Agent { get; private set; } = null!;

        public CompletionLog Log { get; } = new();

        public VdsCommand Write { get; private set; } = null!;

        public static async Task<HostileClientSet> StartAsync()
        {
            string name = SetNames.Unique();
            var set = new HostileClientSet(name, PeerProcess.Start("client-hostile", name, HostileWriter.ControlPath(name)));
            try
            {
                await set._peer.WaitForLineAsync("created");
                var server = set.Server;
                Assert.Equal(NOERROR, server.Open(null, name));
                Assert.Equal(NOERROR, server.BeginConfiguration(VdFeatures.VDF_WriteMedia, 512, 0, 65536, 0));
                Assert.Equal(NOERROR, server.RequestBuffers(65536, 0, 2));
                Assert.Equal(NOERROR, server.EndConfiguration());
                Assert.Equal(NOERROR, server.OpenDevice(name, out var device));
                set.Device = device!;
                set.Agent = Waits.OnOwnThread(server.ExecuteCompletionAgent);
                Assert.Equal(NOERROR, server.AllocateBuffer(out nint buffer, 65536, 0));
                set.Write = set.Log.Command(VdCommandCode.VDC_Write, 4096, buffer);
                Assert.Equal(NOERROR, set.Device.SendCommand(set.Write));
                await set._peer.WaitForLineAsync("fetched VDC_Write");
                Waits.Until(() => server.Control!.AgentWaiting.ReadAcquire() != 0, "the completion agent sleeps waiting for a completion");
                return set;
            }
            catch
            {
                set.Dispose();
                throw;
            }
        }

        /// <summary>Has the peer write a word into the control segment, and waits until it did.</summary>
        public async Task WriteAsync(long offset, long value, bool wide)
        {
            _peer.Send(wide ? $"w64 {offset} {value}" : $"w32 {offset} {(int)value}");
            await _peer.WaitForLineAsync("wrote");
        }

        /// <summary>Closes both sides normally and checks that no segment of the set is left.</summary>
        public async Task CloseAsync()
        {
            Assert.Equal(NOERROR, Server.Close());
            _peer.Send("close");
            Assert.Equal("closed NOERROR", await _peer.WaitForLineAsync("closed"));
            Assert.Equal(0, await _peer.WaitForExitAsync());
            Assert.Empty(SetNames.SegmentsOf(Name));
        }

        public void Dispose()
        {
            // The peer first: a server that outlives its primary removes what the primary left.
            _peer.Dispose();
            Server.Dispose();
            Agent?.Wait(10000);
        }
    }
}
