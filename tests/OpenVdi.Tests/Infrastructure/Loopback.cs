namespace OpenVdi.Tests.Infrastructure;

/// <summary>
/// A client set and a server set on the same name in this process (each with its own mappings, as two processes
/// would have), driven to a chosen point of the documented sequence. Disposing closes both and checks that no
/// segment of the set is left in /dev/shm.
/// </summary>
public sealed class Loopback : IDisposable
{
    private Task<VdiResult>? _agent;

    public Loopback(uint deviceCount = 1, VdFeatures clientFeatures = VdFeatures.VDF_LikePipe, uint serverTimeOut = 0, uint prefixZoneSize = 0, uint alignment = 0, string? name = null, VirtualDeviceSetOptions? options = null)
    {
        Name = name ?? SetNames.Unique();
        Client = options is null ? new() : new(options);
        Config = new VdConfig { DeviceCount = deviceCount, Features = clientFeatures, ServerTimeOut = serverTimeOut, PrefixZoneSize = prefixZoneSize, Alignment = alignment };
        DeviceNames = Enumerable.Range(0, (int)deviceCount).Select(i => i == 0 ? Name : $"{Name}-{i}").ToArray();
        ClientDevices = new IClientVirtualDevice?[deviceCount];
        ServerDevices = new IServerVirtualDevice?[deviceCount];
    }

    public string Name { get; }

    public VdConfig Config { get; }

    public string[] DeviceNames { get; }

    public ClientVirtualDeviceSet Client { get; }

    public ServerVirtualDeviceSet Server { get; } = new();

    public IClientVirtualDevice?[] ClientDevices { get; }

    public IServerVirtualDevice?[] ServerDevices { get; }

    public VdConfig Negotiated { get; private set; }

    public Loopback Created()
    {
        Expect(Client.CreateEx(null, Name, Config));
        return this;
    }

    public Loopback Connected()
    {
        Created();
        Expect(Server.Open(null, Name));
        return this;
    }

    public Loopback Configurable(VdFeatures serverFeatures = VdFeatures.VDF_WriteMedia, uint blockSize = 512, uint maxTransferSize = 65536)
    {
        Connected();
        Expect(Server.BeginConfiguration(Config.Features | serverFeatures, blockSize, 0, maxTransferSize, 0));
        return this;
    }

    /// <summary>Configured with <paramref name="buffers"/> buffers of <paramref name="maxTransferSize"/>, and the client's GetConfiguration done.</summary>
    public Loopback Initialized(uint buffers = 8, VdFeatures serverFeatures = VdFeatures.VDF_WriteMedia, uint blockSize = 512, uint maxTransferSize = 65536)
    {
        Configurable(serverFeatures, blockSize, maxTransferSize);
        Expect(Server.RequestBuffers(maxTransferSize, 0, buffers));
        Expect(Server.EndConfiguration());
        Expect(Client.GetConfiguration(5000, out var negotiated));
        Negotiated = negotiated;
        return this;
    }

    /// <summary>Initialized, every device opened on both sides, and the completion agent running on its own thread.</summary>
    public Loopback Active(uint buffers = 8, VdFeatures serverFeatures = VdFeatures.VDF_WriteMedia, uint blockSize = 512, uint maxTransferSize = 65536)
    {
        Initialized(buffers, serverFeatures, blockSize, maxTransferSize);
        for (int i = 0; i < DeviceNames.Length; i++)
        {
            Expect(Server.OpenDevice(DeviceNames[i], out ServerDevices[i]));
        }

        StartAgent();
        for (int i = 0; i < DeviceNames.Length; i++)
        {
            Expect(Client.OpenDevice(DeviceNames[i], out ClientDevices[i]));
        }

        return this;
    }

    public void StartAgent() => _agent = Task.Factory.StartNew(Server.ExecuteCompletionAgent, TaskCreationOptions.LongRunning);

    /// <summary>The agent's result; fails the test if it does not return within the timeout.</summary>
    public VdiResult AgentResult(int timeoutMs = 10000)
    {
        Assert.NotNull(_agent);
        Assert.True(_agent!.Wait(timeoutMs), "The completion agent did not return.");
        return _agent.Result;
    }

    /// <summary>Sends a command and returns it; its completion routine records the completion in <paramref name="completed"/>.</summary>
    public VdsCommand Send(int device, VdCommandCode code, uint size = 0, nint buffer = 0, List<VdsCommand>? completed = null, VdiResult expected = VdiResult.NOERROR)
    {
        var command = new VdsCommand
        {
            CommandCode = code,
            Size = size,
            Buffer = buffer,
            CompletionRoutine = c =>
            {
                if (completed is not null)
                {
                    lock (completed)
                    {
                        completed.Add(c);
                        Monitor.PulseAll(completed);
                    }
                }
            },
        };
        Assert.Equal(expected, ServerDevices[device]!.SendCommand(command));
        return command;
    }

    /// <summary>Waits until <paramref name="completed"/> holds <paramref name="count"/> commands.</summary>
    public static void WaitForCompletions(List<VdsCommand> completed, int count, int timeoutMs = 10000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        lock (completed)
        {
            while (completed.Count < count)
            {
                var left = deadline - DateTime.UtcNow;
                Assert.True(left > TimeSpan.Zero, $"Only {completed.Count} of {count} completion routines ran.");
                Monitor.Wait(completed, left);
            }
        }
    }

    public nint Allocate(uint size = 65536)
    {
        Expect(Server.AllocateBuffer(out nint buffer, size, 0));
        return buffer;
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
