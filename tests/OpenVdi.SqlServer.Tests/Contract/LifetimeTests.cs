using System.Runtime.CompilerServices;
using OpenVdi.SqlServer.TestPeer;
using OpenVdi.SqlServer.Tests.Infrastructure;
using OpenVdi.Testing;
using static OpenVdi.VdiResult;

namespace OpenVdi.SqlServer.Tests.Contract;

/// <summary>
/// The end of a set object: Dispose closes the set (aborting it when devices are open) and releases what the object
/// holds, also while a call waits in another thread, and a forgotten object of Microsoft's library is closed and
/// freed by its finalizer. After Dispose, OpenVdi's object can make a new set; a binding's object is gone (its
/// library object was destroyed) and says so with ObjectDisposedException, its devices with VD_E_PROTOCOL.
/// </summary>
[Collection(BindingCollection.Name)]
public sealed class LifetimeTests(BindingFixture fixture)
{
    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task Dispose_with_a_GetCommand_waiting_aborts_the_set_and_releases_the_waiter(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation).Active();
        var outstanding = set.Send(0, VdCommandCode.VDC_Flush);
        var command = set.Fetch();
        var waiting = Waits.Asleep(() => set.ClientDevices[0]!.GetCommand(VdiTimeout.Infinite, out _), "GetCommand(INFINITE)");

        set.Client.Dispose();
        Assert.Equal(VD_E_ABORT, await waiting.Within("GetCommand(INFINITE) after Dispose"));
        Assert.Equal(VD_E_ABORT, set.AgentResult());
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, set.Log.WaitFor(outstanding).Code);
        Assert.False(command.IsOutstanding);
        Assert.Equal(VD_E_PROTOCOL, set.ClientDevices[0]!.GetCommand(0, out _));
        Assert.Equal(VD_E_PROTOCOL, set.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 0, 0));
        set.Client.Dispose();

        if (implementation == ClientImplementation.OpenVdi)
        {
            string next = SetNames.Unique();
            Assert.Equal(NOERROR, set.Client.CreateEx(null, next, new VdConfig { DeviceCount = 1 }));
            Assert.Equal(NOERROR, set.Client.Close());
        }
        else
        {
            Assert.Throws<ObjectDisposedException>(() => set.Client.CreateEx(null, SetNames.Unique(), new VdConfig { DeviceCount = 1 }));
            Assert.Throws<ObjectDisposedException>(() => set.Client.Close());
        }
    }

    [Fact(Timeout = 20000)]
    public async Task A_forgotten_set_of_the_Linux_library_is_closed_and_freed_by_its_finalizer()
    {
        await Task.Yield();
        string name = SetNames.Unique();
        using var server = new ServerVirtualDeviceSet();
        var agent = OpenAndForget(name, server);

        // Nothing refers to the client any more: its finalizer closes the set (Close, D1, free), with a device open.
        for (int i = 0; i < 10 && !agent.IsCompleted; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.Equal(VD_E_ABORT, await agent.Within("the server's agent once the forgotten client was finalized"));
        Assert.True(server.IsAborted, "The server did not see the forgotten set end.");
        Assert.Equal(NOERROR, server.Close());
        Assert.Empty(SetNames.SegmentsOf(name));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Task<VdiResult> OpenAndForget(string name, ServerVirtualDeviceSet server)
    {
        var client = fixture.Create(ClientImplementation.LinuxBinding);
        SetUnderTest.Expect(client.CreateEx(null, name, new VdConfig { DeviceCount = 1 }));
        SetUnderTest.Expect(server.Open(null, name));
        SetUnderTest.Expect(server.BeginConfiguration(VdFeatures.VDF_WriteMedia, 512, 0, 65536, 0));
        SetUnderTest.Expect(server.RequestBuffers(65536, 0, 2));
        SetUnderTest.Expect(server.EndConfiguration());
        SetUnderTest.Expect(client.GetConfiguration(Waits.Prompt, out _));
        SetUnderTest.Expect(server.OpenDevice(name, out _));
        SetUnderTest.Expect(client.OpenDevice(name, out _));
        return Task.Factory.StartNew(server.ExecuteCompletionAgent, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }
}
