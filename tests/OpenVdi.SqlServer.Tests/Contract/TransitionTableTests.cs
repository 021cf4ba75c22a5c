using OpenVdi.SqlServer.TestPeer;
using OpenVdi.SqlServer.Tests.Infrastructure;
using OpenVdi.Testing;
using static OpenVdi.VdiResult;

namespace OpenVdi.SqlServer.Tests.Contract;

/// <summary>
/// The client transition table (spec §5.2), cell by cell, for every implementation: the call's result in each state,
/// and the state it moves to.
/// </summary>
[Collection(BindingCollection.Name)]
public sealed class TransitionTableTests(BindingFixture fixture)
{
    public enum ClientState
    {
        DNE,
        Configurable,
        Initializing,
        Active,
        NormallyTerminated,
        Abort,
    }

    public enum ClientCall
    {
        Create,
        CreateEx,
        GetConfiguration,
        OpenDevice,
        GetCommand,
        CompleteCommand,
        SignalAbort,
        Close,
    }

    /// <summary>
    /// §5.2 as OpenVdi decided its open cells (docs/decisions.md): GetCommand in Normally Terminated keeps answering
    /// VD_E_CLOSE; Close in Active answers VD_E_OPEN (an active set has an open device); CompleteCommand in Normally
    /// Terminated is VD_E_PROTOCOL.
    /// </summary>
    private static readonly Dictionary<(ClientCall, ClientState), VdiResult> s_table = new()
    {
        [(ClientCall.Create, ClientState.DNE)] = NOERROR,
        [(ClientCall.Create, ClientState.Configurable)] = VD_E_PROTOCOL,
        [(ClientCall.Create, ClientState.Initializing)] = VD_E_PROTOCOL,
        [(ClientCall.Create, ClientState.Active)] = VD_E_PROTOCOL,
        [(ClientCall.Create, ClientState.NormallyTerminated)] = VD_E_PROTOCOL,
        [(ClientCall.Create, ClientState.Abort)] = VD_E_PROTOCOL,
        [(ClientCall.CreateEx, ClientState.DNE)] = NOERROR,
        [(ClientCall.CreateEx, ClientState.Configurable)] = VD_E_PROTOCOL,
        [(ClientCall.CreateEx, ClientState.Initializing)] = VD_E_PROTOCOL,
        [(ClientCall.CreateEx, ClientState.Active)] = VD_E_PROTOCOL,
        [(ClientCall.CreateEx, ClientState.NormallyTerminated)] = VD_E_PROTOCOL,
        [(ClientCall.CreateEx, ClientState.Abort)] = VD_E_PROTOCOL,
        [(ClientCall.GetConfiguration, ClientState.DNE)] = VD_E_PROTOCOL,
        [(ClientCall.GetConfiguration, ClientState.Configurable)] = NOERROR,
        [(ClientCall.GetConfiguration, ClientState.Initializing)] = NOERROR,
        [(ClientCall.GetConfiguration, ClientState.Active)] = NOERROR,
        [(ClientCall.GetConfiguration, ClientState.NormallyTerminated)] = NOERROR,
        [(ClientCall.GetConfiguration, ClientState.Abort)] = VD_E_ABORT,
        [(ClientCall.OpenDevice, ClientState.DNE)] = VD_E_PROTOCOL,
        [(ClientCall.OpenDevice, ClientState.Configurable)] = VD_E_PROTOCOL,
        [(ClientCall.OpenDevice, ClientState.Initializing)] = NOERROR,
        [(ClientCall.OpenDevice, ClientState.Active)] = VD_E_PROTOCOL,
        [(ClientCall.OpenDevice, ClientState.NormallyTerminated)] = VD_E_PROTOCOL,
        [(ClientCall.OpenDevice, ClientState.Abort)] = VD_E_ABORT,
        [(ClientCall.GetCommand, ClientState.DNE)] = VD_E_PROTOCOL,
        [(ClientCall.GetCommand, ClientState.Configurable)] = VD_E_PROTOCOL,
        [(ClientCall.GetCommand, ClientState.Initializing)] = VD_E_PROTOCOL,
        [(ClientCall.GetCommand, ClientState.Active)] = NOERROR,
        [(ClientCall.GetCommand, ClientState.NormallyTerminated)] = VD_E_CLOSE,
        [(ClientCall.GetCommand, ClientState.Abort)] = VD_E_ABORT,
        [(ClientCall.CompleteCommand, ClientState.DNE)] = VD_E_PROTOCOL,
        [(ClientCall.CompleteCommand, ClientState.Configurable)] = VD_E_PROTOCOL,
        [(ClientCall.CompleteCommand, ClientState.Initializing)] = VD_E_PROTOCOL,
        [(ClientCall.CompleteCommand, ClientState.Active)] = NOERROR,
        [(ClientCall.CompleteCommand, ClientState.NormallyTerminated)] = VD_E_PROTOCOL,
        [(ClientCall.CompleteCommand, ClientState.Abort)] = VD_E_ABORT,
        [(ClientCall.SignalAbort, ClientState.DNE)] = VD_E_PROTOCOL,
        [(ClientCall.SignalAbort, ClientState.Configurable)] = NOERROR,
        [(ClientCall.SignalAbort, ClientState.Initializing)] = NOERROR,
        [(ClientCall.SignalAbort, ClientState.Active)] = NOERROR,
        [(ClientCall.SignalAbort, ClientState.NormallyTerminated)] = NOERROR,
        [(ClientCall.SignalAbort, ClientState.Abort)] = NOERROR,
        [(ClientCall.Close, ClientState.DNE)] = VD_E_PROTOCOL,
        [(ClientCall.Close, ClientState.Configurable)] = NOERROR,
        [(ClientCall.Close, ClientState.Initializing)] = NOERROR,
        [(ClientCall.Close, ClientState.Active)] = VD_E_OPEN,
        [(ClientCall.Close, ClientState.NormallyTerminated)] = NOERROR,
        [(ClientCall.Close, ClientState.Abort)] = NOERROR,
    };

    public static TheoryData<ClientImplementation, ClientCall, ClientState> Cells() => Implementations.Each([.. s_table.Keys]);

    [Theory(Timeout = 30000)]
    [MemberData(nameof(Cells))]
    public async Task Every_cell_of_the_client_transition_table(ClientImplementation implementation, ClientCall call, ClientState state)
    {
        await Task.Yield();
        var expected = s_table[(call, state)];
        using var scene = Scene.Enter(fixture, implementation, state);
        var actual = await scene.InvokeAsync(call, state);
        Assert.True(expected == actual, $"{implementation}: {call} in {state}: expected {expected}, got {actual}.");
        scene.AssertStateAfter(call, state, actual);
    }

    [Theory(Timeout = 30000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task After_Close_the_object_can_create_a_new_set(ClientImplementation implementation)
    {
        await Task.Yield();
        foreach (var state in new[] { ClientState.Configurable, ClientState.Active, ClientState.NormallyTerminated, ClientState.Abort })
        {
            using var scene = Scene.Enter(fixture, implementation, state);
            var closed = scene.Set.Client.Close();
            Assert.True(closed is NOERROR or VD_E_OPEN, $"Close in {state} answered {closed}.");

            string next = SetNames.Unique();
            Assert.Equal(NOERROR, scene.Set.Client.CreateEx(null, next, new VdConfig { DeviceCount = 1 }));
            using (var server = new ServerVirtualDeviceSet())
            {
                Assert.Equal(NOERROR, server.Open(null, next));
                Assert.Equal(NOERROR, server.BeginConfiguration(VdFeatures.VDF_ReadMedia, 512, 0, 65536, 0));
                Assert.Equal(NOERROR, server.RequestBuffers(65536, 0, 1));
                Assert.Equal(NOERROR, server.EndConfiguration());
                Assert.Equal(NOERROR, scene.Set.Client.GetConfiguration(Waits.Prompt, out var config));
                Assert.Equal(VdFeatures.VDF_ReadMedia, config.Features);
                Assert.Equal(NOERROR, server.OpenDevice(next, out _));
                Assert.Equal(NOERROR, scene.Set.Client.OpenDevice(next, out var device));
                Assert.NotNull(device);
            }

            Assert.Equal(NOERROR, scene.Set.Client.Close());
            Assert.Empty(SetNames.SegmentsOf(next));
        }
    }

    /// <summary>
    /// A client set driven to one state of §5.2, with what each call needs there: a device for GetCommand, a command
    /// for CompleteCommand, a name for OpenDevice. In DNE, Configurable and Initializing no device of the set now open
    /// can exist, so those calls use the device and command the same object got in its previous set (closed since).
    /// </summary>
    private sealed class Scene : IDisposable
    {
        private readonly List<string> _otherNames = [];

        private Scene(SetUnderTest set) => Set = set;

        public SetUnderTest Set { get; }

        public IClientVirtualDevice? Device { get; private set; }

        public VdcCommand? Command { get; private set; }

        public string OpenName { get; private set; } = string.Empty;

        public static Scene Enter(BindingFixture fixture, ClientImplementation implementation, ClientState state)
        {
            var scene = new Scene(new SetUnderTest(fixture, implementation, deviceCount: 2));
            try
            {
                scene.Drive(state);
                return scene;
            }
            catch
            {
                scene.Dispose();
                throw;
            }
        }

        private void Drive(ClientState state)
        {
            var set = Set;
            switch (state)
            {
                case ClientState.DNE:
                    EndAFirstSet();
                    OpenName = set.DeviceNames[0];
                    break;

                case ClientState.Configurable:
                    EndAFirstSet();
                    set.Configurable();
                    OpenName = set.DeviceNames[0];
                    break;

                case ClientState.Initializing:
                    EndAFirstSet();
                    set.Initialized();
                    OpenName = set.DeviceNames[0];
                    break;

                case ClientState.Active:
                case ClientState.Abort:
                    set.ServerActive();
                    SetUnderTest.Expect(set.Client.OpenDevice(set.DeviceNames[0], out set.ClientDevices[0]));
                    Device = set.ClientDevices[0];
                    set.Send(0, VdCommandCode.VDC_Flush);
                    set.Send(0, VdCommandCode.VDC_Flush);
                    Command = set.Fetch();

                    // Active: device 0 is open (opening it again is the PROTOCOL cell); Abort: device 1 is not.
                    OpenName = state == ClientState.Active ? set.DeviceNames[0] : set.DeviceNames[1];
                    if (state == ClientState.Abort)
                    {
                        SetUnderTest.Expect(set.Client.SignalAbort());
                    }

                    break;

                case ClientState.NormallyTerminated:
                    set.Active();
                    Device = set.ClientDevices[0];
                    var flush = set.Send(0, VdCommandCode.VDC_Flush);
                    Command = set.Fetch();
                    Assert.Equal(NOERROR, Device!.CompleteCommand(Command, Win32Error.ERROR_SUCCESS, 0, 0));
                    set.Log.WaitFor(flush);
                    Assert.Equal(NOERROR, set.ServerDevices[0]!.CloseDevice());
                    Assert.Equal(NOERROR, set.ServerDevices[1]!.CloseDevice());
                    Assert.Equal(VD_E_CLOSE, set.ClientDevices[0]!.GetCommand(Waits.Prompt, out _));
                    Assert.Equal(VD_E_CLOSE, set.ClientDevices[1]!.GetCommand(Waits.Prompt, out _));
                    Assert.Equal(NOERROR, set.AgentResult());
                    OpenName = set.DeviceNames[1];
                    break;
            }
        }

        /// <summary>Runs a first set of this object to Active, keeps a device and an outstanding command, closes both sides.</summary>
        private void EndAFirstSet()
        {
            var set = Set;
            set.Active();
            set.Send(0, VdCommandCode.VDC_Flush);
            Device = set.ClientDevices[0];
            Command = set.Fetch();
            Assert.Equal(VD_E_OPEN, set.Client.Close());
            Assert.Equal(VD_E_ABORT, set.AgentResult());
            Assert.Equal(NOERROR, set.Server.Close());
            set.Ended();
        }

        public async Task<VdiResult> InvokeAsync(ClientCall call, ClientState state)
        {
            var client = Set.Client;
            switch (call)
            {
                case ClientCall.Create:
                case ClientCall.CreateEx:
                    string name = SetNames.Unique();
                    _otherNames.Add(name);
                    var config = new VdConfig { DeviceCount = 1 };
                    return call == ClientCall.Create ? client.Create(name, config) : client.CreateEx(null, name, config);

                case ClientCall.GetConfiguration when state == ClientState.Configurable:
                    // Configurable: the call waits, and returns once the server ends its configuration.
                    var waiting = Waits.Asleep(() => client.GetConfiguration(VdiTimeout.Infinite, out _), "GetConfiguration(INFINITE) in Configurable");
                    SetUnderTest.Expect(Set.Server.RequestBuffers(65536, 0, 2));
                    SetUnderTest.Expect(Set.Server.EndConfiguration());
                    return await waiting.Within("GetConfiguration(INFINITE) after EndConfiguration");

                case ClientCall.GetConfiguration:
                    return client.GetConfiguration(0, out _);

                case ClientCall.OpenDevice:
                    var opened = client.OpenDevice(OpenName, out var device);
                    Assert.True((opened == NOERROR) == (device is not null), $"OpenDevice answered {opened} with device {device}.");
                    if (device is not null)
                    {
                        Device = device;
                    }

                    return opened;

                case ClientCall.GetCommand:
                    var fetched = Device!.GetCommand(0, out var command);
                    Assert.True((fetched == NOERROR) == (command is not null), $"GetCommand answered {fetched} with command {command}.");
                    return fetched;

                case ClientCall.CompleteCommand:
                    return Device!.CompleteCommand(Command!, Win32Error.ERROR_SUCCESS, 0, 0);

                case ClientCall.SignalAbort:
                    return client.SignalAbort();

                case ClientCall.Close:
                    return client.Close();

                default:
                    throw new ArgumentOutOfRangeException(nameof(call));
            }
        }

        /// <summary>Checks the state a call moved to (§5.2's arrows), from what the client answers next.</summary>
        public void AssertStateAfter(ClientCall call, ClientState state, VdiResult result)
        {
            var client = Set.Client;
            if (call is ClientCall.Close && result is NOERROR or VD_E_OPEN)
            {
                // → DNE.
                Assert.Equal(VD_E_PROTOCOL, client.GetConfiguration(0, out _));
                Assert.Equal(VD_E_PROTOCOL, client.SignalAbort());
                return;
            }

            if (result != NOERROR)
            {
                return;
            }

            switch (call)
            {
                case ClientCall.Create or ClientCall.CreateEx:
                    // → Configurable: no server yet, so no configuration either.
                    Assert.Equal(VD_E_TIMEOUT, client.GetConfiguration(0, out _));
                    Assert.Equal(VD_E_PROTOCOL, client.OpenDevice(_otherNames[^1], out _));
                    break;

                case ClientCall.GetConfiguration when state == ClientState.Configurable:
                    // → Initializing: devices open now.
                    Assert.Equal(NOERROR, Set.Server.OpenDevice(Set.DeviceNames[0], out _));
                    Assert.Equal(NOERROR, client.OpenDevice(Set.DeviceNames[0], out var device));
                    Assert.NotNull(device);
                    break;

                case ClientCall.OpenDevice:
                    // → Active: the device waits for commands.
                    Assert.Equal(VD_E_TIMEOUT, Device!.GetCommand(0, out _));
                    break;

                case ClientCall.SignalAbort:
                    // → Abort, seen by both sides.
                    Assert.Equal(VD_E_ABORT, client.GetConfiguration(0, out _));
                    Assert.Equal(VD_E_ABORT, client.OpenDevice(Set.DeviceNames[1], out _));
                    Assert.True(Set.Server.IsAborted, $"The server did not see the abort signalled in {state}.");
                    break;
            }
        }

        public void Dispose()
        {
            Set.Dispose();
            foreach (string name in _otherNames)
            {
                Assert.Empty(SetNames.SegmentsOf(name));
            }
        }
    }
}
