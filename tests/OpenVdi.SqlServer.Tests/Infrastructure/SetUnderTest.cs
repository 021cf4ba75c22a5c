using OpenVdi.SqlServer.TestPeer;
using OpenVdi.Testing;

namespace OpenVdi.SqlServer.Tests.Infrastructure;

/// <summary>
/// A client set of one implementation and OpenVdi's server half on the same name, in this process (each with its
/// own mappings, as two processes have), driven to a chosen point of the documented sequence. The server is the test's
/// instrument: it sends the commands and reads what the client's completions told it. Disposing closes both and
/// checks that nothing of the set is left in /dev/shm.
/// </summary>
public sealed class SetUnderTest : IDisposable
{
    private Task<VdiResult>? _agent;
    private bool _created;

    public SetUnderTest(BindingFixture fixture, ClientImplementation implementation, uint deviceCount = 1, VdFeatures clientFeatures = VdFeatures.VDF_LikePipe, uint prefixZoneSize = 0, uint serverTimeOut = 0)
    {
        Fixture = fixture;
        Implementation = implementation;
        Name = SetNames.Unique();
        Client = fixture.Create(implementation);
        Config = new VdConfig { DeviceCount = deviceCount, Features = clientFeatures, PrefixZoneSize = prefixZoneSize, ServerTimeOut = serverTimeOut };
        DeviceNames = Enumerable.Range(0, (int)deviceCount).Select(i => i == 0 ? Name : $"{Name}-{i}").ToArray();
        ClientDevices = new IClientVirtualDevice?[deviceCount];
        ServerDevices = new IServerVirtualDevice?[deviceCount];
    }

    public BindingFixture Fixture { get; }

    public ClientImplementation Implementation { get; }

    public string Name { get; }

    public VdConfig Config { get; }

    public string[] DeviceNames { get; }

    public IClientVirtualDeviceSet2 Client { get; }

    public ServerVirtualDeviceSet Server { get; } = new();

    public IClientVirtualDevice?[] ClientDevices { get; }

    public IServerVirtualDevice?[] ServerDevices { get; }

    public VdConfig Negotiated { get; private set; }

    public CompletionLog Log { get; } = new();

    /// <summary>The client's CreateEx done (once: the later stages start from here).</summary>
    public SetUnderTest Created()
    {
        if (!_created)
        {
            Expect(Client.CreateEx(null, Name, Config));
            _created = true;
        }

        return this;
    }

    /// <summary>Both sides closed the set: the next stage starts with a new CreateEx of the same name.</summary>
    public void Ended()
    {
        _created = false;
        _agent = null;
        Array.Clear(ServerDevices);
        Array.Clear(ClientDevices);
    }

    public SetUnderTest Configurable(VdFeatures serverFeatures = VdFeatures.VDF_WriteMedia, uint blockSize = 512, uint maxTransferSize = 65536)
    {
        Created();
        Expect(Server.Open(null, Name));
        Expect(Server.BeginConfiguration(Config.Features | serverFeatures, blockSize, 0, maxTransferSize, 0));
        return this;
    }

    /// <summary>Configured with <paramref name="buffers"/> buffers, and the client's GetConfiguration done.</summary>
    public SetUnderTest Initialized(uint buffers = 8, VdFeatures serverFeatures = VdFeatures.VDF_WriteMedia, uint maxTransferSize = 65536)
    {
        Configurable(serverFeatures, maxTransferSize: maxTransferSize);
        Expect(Server.RequestBuffers(maxTransferSize, 0, buffers));
        Expect(Server.EndConfiguration());
        Expect(Client.GetConfiguration(Waits.Prompt, out var negotiated));
        Negotiated = negotiated;
        return this;
    }

    /// <summary>Every device opened by the server; the agent running.</summary>
    public SetUnderTest ServerActive(uint buffers = 8, VdFeatures serverFeatures = VdFeatures.VDF_WriteMedia, uint maxTransferSize = 65536)
    {
        Initialized(buffers, serverFeatures, maxTransferSize);
        for (int i = 0; i < DeviceNames.Length; i++)
        {
            Expect(Server.OpenDevice(DeviceNames[i], out ServerDevices[i]));
        }

        _agent = Task.Factory.StartNew(Server.ExecuteCompletionAgent, TaskCreationOptions.LongRunning);
        return this;
    }

    /// <summary>Every device opened on both sides, the agent running.</summary>
    public SetUnderTest Active(uint buffers = 8, VdFeatures serverFeatures = VdFeatures.VDF_WriteMedia, uint maxTransferSize = 65536)
    {
        ServerActive(buffers, serverFeatures, maxTransferSize);
        for (int i = 0; i < DeviceNames.Length; i++)
        {
            Expect(Client.OpenDevice(DeviceNames[i], out ClientDevices[i]));
        }

        return this;
    }

    /// <summary>The agent's result; fails the test if it does not return in time.</summary>
    public VdiResult AgentResult(int timeoutMs = 10000)
    {
        Assert.NotNull(_agent);
        Assert.True(_agent!.Wait(timeoutMs), "The server's completion agent did not return.");
        return _agent.Result;
    }

    /// <summary>Sends a command on server device <paramref name="device"/>; its routine records into <see cref="Log"/>.</summary>
    public VdsCommand Send(int device, VdCommandCode code, uint size = 0, nint buffer = 0, ulong position = 0)
    {
        var command = Log.Command(code, size, buffer, position);
        Expect(ServerDevices[device]!.SendCommand(command));
        return command;
    }

    /// <summary>A server buffer of <paramref name="size"/> bytes.</summary>
    public nint Allocate(uint size = 65536)
    {
        Expect(Server.AllocateBuffer(out nint buffer, size, 0));
        return buffer;
    }

    /// <summary>Fetches the next command of client device <paramref name="device"/>, which must come at once.</summary>
    public VdcCommand Fetch(int device = 0)
    {
        var result = ClientDevices[device]!.GetCommand(Waits.Prompt, out var command);
        Assert.True(result == VdiResult.NOERROR, $"GetCommand on device {device} answered {result}.");
        return command!;
    }

    public static void Expect(VdiResult result) => Assert.Equal(VdiResult.NOERROR, result);

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
        _agent?.Wait(10000);
        Assert.Empty(SetNames.SegmentsOf(Name));
    }
}
