namespace OpenVdi.Benchmarks;

/// <summary>
/// A client set and a server set of the same name in this process, each with its own mappings as two processes
/// would have: one device open on both sides and the completion agent running on its own thread. The call sequence
/// is the one of the tests' in-process loopback. Disposing ends the set normally and checks /dev/shm is clean.
/// </summary>
internal sealed class LoopbackSet : IDisposable
{
    private const uint WaitMs = 10000;

    private readonly Thread _agent;
    private VdiResult _agentResult = VdiResult.VD_E_UNEXPECTED;
    private bool _disposed;

    /// <summary>Creates, configures and activates a set with <paramref name="buffers"/> buffers of <paramref name="bufferSize"/> bytes.</summary>
    /// <param name="buffers">How many buffers the server declares.</param>
    /// <param name="bufferSize">Their size.</param>
    /// <param name="idiomatic">Open the client's device through the .NET layer (<see cref="IdiomaticDevice"/>), for its asynchronous waits.</param>
    public LoopbackSet(uint buffers, uint bufferSize = 65536, bool idiomatic = false)
    {
        Name = "openvdi-bench-" + Guid.NewGuid().ToString("N");
        _agent = new Thread(() => _agentResult = Server.ExecuteCompletionAgent())
        {
            IsBackground = true,
            Name = "VDI completion agent",
        };
        try
        {
            var config = new VdConfig { DeviceCount = 1, Features = VdFeatures.VDF_LikePipe };
            Expect(Client.CreateEx(null, Name, config), "client CreateEx");
            Expect(Server.Open(null, Name), "server Open");
            Expect(Server.BeginConfiguration(config.Features | VdFeatures.VDF_WriteMedia, 65536, 0, bufferSize, 0), "server BeginConfiguration");
            Expect(Server.RequestBuffers(bufferSize, 0, buffers), "server RequestBuffers");
            Expect(Server.EndConfiguration(), "server EndConfiguration");
            Expect(Client.GetConfiguration(WaitMs, out _), "client GetConfiguration");
            Expect(Server.OpenDevice(Name, out var serverDevice), "server OpenDevice");
            ServerDevice = serverDevice!;
            _agent.Start();
            if (idiomatic)
            {
                Idiomatic = VirtualDeviceSet.FromFaithful(Client);
                IdiomaticDevice = Idiomatic.OpenDevice(Name);
                ClientDevice = IdiomaticDevice.Faithful;
            }
            else
            {
                Expect(Client.OpenDevice(Name, out var clientDevice), "client OpenDevice");
                ClientDevice = clientDevice!;
            }
        }
        catch
        {
            // Leave no segment behind: Close unmaps and unlinks even mid-configuration (and stops the agent).
            Client.Dispose();
            Server.Dispose();
            throw;
        }
    }

    public string Name { get; }

    public ClientVirtualDeviceSet Client { get; } = new();

    public ServerVirtualDeviceSet Server { get; } = new();

    public IClientVirtualDevice ClientDevice { get; }

    /// <summary>The .NET layer over <see cref="Client"/>, when asked for; disposing the loopback disposes it.</summary>
    public VirtualDeviceSet? Idiomatic { get; }

    /// <summary>The client's device through the .NET layer, when asked for.</summary>
    public VirtualDevice? IdiomaticDevice { get; }

    public IServerVirtualDevice ServerDevice { get; }

    /// <summary>A server buffer of <paramref name="size"/> bytes.</summary>
    public nint Allocate(uint size = 65536)
    {
        Expect(Server.AllocateBuffer(out nint buffer, size, 0), "server AllocateBuffer");
        return buffer;
    }

    /// <summary>Throws unless <paramref name="result"/> is NOERROR. Allocation-free on success, so usable in a benchmark body.</summary>
    public static void Expect(VdiResult result, string call)
    {
        if (result != VdiResult.NOERROR)
        {
            Fail(result, call);
        }
    }

    // Kept out of Expect so the hot callers inline a compare and a branch only.
    private static void Fail(VdiResult result, string call) =>
        throw new InvalidOperationException($"{call} returned {result}, not NOERROR.");

    /// <summary>
    /// Ends the set the normal way (server closes the device, client sees VD_E_CLOSE, agent returns), then closes both
    /// sides. Every command must be completed first.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        string? failure = null;
        try
        {
            var closed = ServerDevice.CloseDevice();
            var end = ClientDevice.GetCommand(WaitMs, out _);
            failure = closed != VdiResult.NOERROR ? $"server CloseDevice returned {closed}"
                : end != VdiResult.VD_E_CLOSE ? $"client GetCommand after CloseDevice returned {end}, not VD_E_CLOSE"
                : null;
        }
        finally
        {
            // Close both sides whatever happened above: the segments must go.
            var client = Client.Close();
            Idiomatic?.Dispose();
            bool agentDone = _agent.Join(TimeSpan.FromMilliseconds(WaitMs));
            var server = Server.Close();
            failure ??= client != VdiResult.NOERROR ? $"client Close returned {client}"
                : !agentDone ? "the completion agent did not return"
                : _agentResult != VdiResult.NOERROR ? $"ExecuteCompletionAgent returned {_agentResult}"
                : server != VdiResult.NOERROR ? $"server Close returned {server}"
                : null;
        }

        var left = Directory.GetFiles("/dev/shm", "openvdi.*").Where(f => f.Contains(Name, StringComparison.Ordinal)).ToArray();
        failure ??= left.Length > 0 ? $"segments left in /dev/shm: {string.Join(", ", left)}" : null;
        if (failure is not null)
        {
            throw new InvalidOperationException($"Closing set {Name}: {failure}.");
        }
    }
}
