using OpenVdi.Testing;
using OpenVdi.Tests.Infrastructure;

namespace OpenVdi.Tests;

/// <summary>
/// VDI notices the death of the server and of the primary client and aborts the set (spec §9.3): the survivor's
/// waits return VD_E_ABORT within a second, and the survivor removes every segment.
/// </summary>
public class ProcessDeathTests
{
    [Fact(Timeout = 60000)]
    public async Task Server_killed_mid_stream_aborts_the_client_and_leaves_no_segment()
    {
        string name = SetNames.Unique();
        using var client = new ClientVirtualDeviceSet();
        Assert.Equal(VdiResult.NOERROR, client.CreateEx(null, name, new VdConfig { DeviceCount = 1 }));
        using var server = PeerProcess.Start("server-hold", name);
        Assert.Equal(VdiResult.NOERROR, client.GetConfiguration(30000, out _));
        Assert.Equal(VdiResult.NOERROR, client.OpenDevice(name, out var device));
        await server.WaitForLineAsync("sent");
        Assert.Equal(VdiResult.NOERROR, device!.GetCommand(30000, out var write));
        Assert.Equal(VdCommandCode.VDC_Write, write!.CommandCode);

        var waiting = Task.Factory.StartNew(() => device.GetCommand(VdiTimeout.Infinite, out _), TaskCreationOptions.LongRunning);
        server.Kill();
        Assert.Equal(VdiResult.VD_E_ABORT, await Within.Await(waiting, TimeSpan.FromSeconds(1), "A client waiting in GetCommand did not notice the server's death within one second."));
        Assert.True(client.IsAborted);
        Assert.Equal(VdiResult.VD_E_ABORT, device.CompleteCommand(write, 0, write.Size, 0));
        Assert.Equal(VdiResult.NOERROR, client.Close());
        Assert.Empty(SetNames.SegmentsOf(name));
    }

    [Fact(Timeout = 60000)]
    public async Task Server_killed_while_connected_aborts_a_waiting_GetConfiguration()
    {
        string name = SetNames.Unique();
        using var client = new ClientVirtualDeviceSet();
        Assert.Equal(VdiResult.NOERROR, client.CreateEx(null, name, new VdConfig { DeviceCount = 1 }));
        using var server = PeerProcess.Start("server-connect", name);
        await server.WaitForLineAsync("connected");
        var waiting = Task.Factory.StartNew(() => client.GetConfiguration(VdiTimeout.Infinite, out _), TaskCreationOptions.LongRunning);
        server.Kill();
        Assert.Equal(VdiResult.VD_E_ABORT, await Within.Await(waiting, TimeSpan.FromSeconds(1), "GetConfiguration did not notice the server's death within one second."));
        Assert.Equal(VdiResult.NOERROR, client.Close());
        Assert.Empty(SetNames.SegmentsOf(name));
    }

    [Fact(Timeout = 60000)]
    public async Task Server_killed_between_calls_is_reported_by_the_next_set_call()
    {
        string name = SetNames.Unique();
        using var client = new ClientVirtualDeviceSet();
        Assert.Equal(VdiResult.NOERROR, client.CreateEx(null, name, new VdConfig { DeviceCount = 1 }));
        using var server = PeerProcess.Start("server-hold", name);
        await server.WaitForLineAsync("sent");

        // While the server lives, its set's name is taken: another creator gets a clear error, never an attach.
        using (var other = new ClientVirtualDeviceSet())
        {
            Assert.Equal(VdiResult.VD_E_BUSY, other.CreateEx(null, name, new VdConfig { DeviceCount = 1 }));
        }

        server.Kill();
        Assert.Equal(VdiResult.VD_E_ABORT, client.GetConfiguration(0, out _));
        Assert.Equal(VdiResult.VD_E_ABORT, client.OpenDevice(name, out _));
        Assert.Equal(VdiResult.NOERROR, client.Close());
        Assert.Empty(SetNames.SegmentsOf(name));
    }

    [Fact(Timeout = 60000)]
    public async Task Primary_client_killed_mid_stream_aborts_the_server_and_leaves_no_segment()
    {
        string name = SetNames.Unique();
        using var client = PeerProcess.Start("client-hold", name, "1");
        await client.WaitForLineAsync("created");
        using var server = new ServerVirtualDeviceSet();
        Assert.Equal(VdiResult.NOERROR, server.Open(null, name));
        Assert.Equal(VdiResult.NOERROR, server.BeginConfiguration(VdFeatures.VDF_WriteMedia, 512, 0, 65536, 0));
        Assert.Equal(VdiResult.NOERROR, server.RequestBuffers(65536, 0, 2));
        Assert.Equal(VdiResult.NOERROR, server.EndConfiguration());
        Assert.Equal(VdiResult.NOERROR, server.OpenDevice(name, out var device));
        var agent = Task.Factory.StartNew(server.ExecuteCompletionAgent, TaskCreationOptions.LongRunning);
        Assert.Equal(VdiResult.NOERROR, server.AllocateBuffer(out nint buffer, 65536, 0));
        uint completion = uint.MaxValue;
        var write = new VdsCommand { CommandCode = VdCommandCode.VDC_Write, Size = 65536, Buffer = buffer, CompletionRoutine = c => completion = c.CompletionCode };
        Assert.Equal(VdiResult.NOERROR, device!.SendCommand(write));
        await client.WaitForLineAsync("fetched VDC_Write");

        client.Kill();
        Assert.Equal(VdiResult.VD_E_ABORT, await Within.Await(agent, TimeSpan.FromSeconds(1), "The completion agent did not notice the primary client's death within one second."));
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, completion);
        Assert.Equal("PrimaryClientDied", server.AbortReasonText);

        // An aborted set closes with NOERROR (the table's Abort column), and the server removes what the dead client left.
        Assert.Equal(VdiResult.NOERROR, server.Close());
        Assert.Empty(SetNames.SegmentsOf(name));
    }

    [Fact(Timeout = 60000)]
    public async Task A_set_left_by_dead_processes_is_reclaimed_by_the_next_create()
    {
        string name = SetNames.Unique();
        using (var holder = PeerProcess.Start("client-hold", name, "1"))
        {
            await holder.WaitForLineAsync("created");
            holder.Kill();
        }

        // The dead creator's file is still there (unless a test running alongside swept it already); nobody holds its
        // locks, so a new create takes the name.
        using var client = new ClientVirtualDeviceSet();
        Assert.Equal(VdiResult.NOERROR, client.CreateEx(null, name, new VdConfig { DeviceCount = 1 }));

        // A server never attaches to a set whose creator is gone.
        using var server = new ServerVirtualDeviceSet();
        Assert.Equal(VdiResult.NOERROR, server.Open(null, name));
        Assert.Equal(VdiResult.NOERROR, client.Close());
        Assert.Equal(VdiResult.NOERROR, server.Close());
        Assert.Empty(SetNames.SegmentsOf(name));
    }
}
