using OpenVdi.SqlServer.TestPeer;
using OpenVdi.SqlServer.Tests.Infrastructure;
using OpenVdi.Testing;
using static OpenVdi.VdiResult;

namespace OpenVdi.SqlServer.Tests.CrossProcess;

/// <summary>
/// The server process dies mid-backup (spec §9.3): a client waiting for a command learns it as VD_E_ABORT, whatever
/// implementation it runs on. The server is OpenVdi's test peer, killed with SIGKILL.
/// </summary>
[Collection(BindingCollection.Name)]
public sealed class ServerDeathTests(BindingFixture fixture)
{
    [Theory(Timeout = 60000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task A_client_waiting_for_a_command_gets_VD_E_ABORT_when_the_server_process_dies(ClientImplementation implementation)
    {
        await Task.Yield();
        string name = SetNames.Unique();
        using var client = fixture.Create(implementation);
        Assert.Equal(NOERROR, client.CreateEx(null, name, new VdConfig { DeviceCount = 1 }));
        using var server = PeerProcess.Start("server-hold", name);
        Assert.Equal(NOERROR, client.GetConfiguration(30000, out _));
        Assert.Equal(NOERROR, client.OpenDevice(name, out var device));
        await server.WaitForLineAsync("sent");
        Assert.Equal(NOERROR, device!.GetCommand(Waits.Prompt, out var write));
        Assert.Equal(VdCommandCode.VDC_Write, write!.CommandCode);

        var waiting = Waits.Asleep(() => device.GetCommand(VdiTimeout.Infinite, out _), "GetCommand(INFINITE) with the server alive");
        server.Kill();
        Assert.Equal(VD_E_ABORT, await waiting.Within("GetCommand(INFINITE) after the server died"));
        Assert.Equal(VD_E_ABORT, device.CompleteCommand(write, Win32Error.ERROR_SUCCESS, write.Size, 0));
        Assert.Equal(NOERROR, client.Close());
        Assert.Empty(SetNames.SegmentsOf(name));
    }
}
