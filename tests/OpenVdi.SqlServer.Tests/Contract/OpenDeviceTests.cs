using OpenVdi.SqlServer.TestPeer;
using OpenVdi.SqlServer.Tests.Infrastructure;
using OpenVdi.Testing;
using static OpenVdi.VdiResult;

namespace OpenVdi.SqlServer.Tests.Contract;

/// <summary>OpenDevice per device (spec §3.4 and §5.2's footnote), for every implementation.</summary>
[Collection(BindingCollection.Name)]
public sealed class OpenDeviceTests(BindingFixture fixture)
{
    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task Each_device_opens_once_then_VD_E_OPEN_when_all_are_open(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation, deviceCount: 3).ServerActive();
        Assert.Equal(NOERROR, set.Client.OpenDevice(set.DeviceNames[1], out var second));
        Assert.NotNull(second);
        Assert.Equal(VD_E_PROTOCOL, set.Client.OpenDevice(set.DeviceNames[1], out var again));
        Assert.Null(again);
        Assert.Equal(NOERROR, set.Client.OpenDevice(set.DeviceNames[0], out _));
        Assert.Equal(NOERROR, set.Client.OpenDevice(set.DeviceNames[2], out _));
        Assert.Equal(VD_E_OPEN, set.Client.OpenDevice(set.DeviceNames[2], out _));
        foreach (string name in new[] { set.DeviceNames[0], set.DeviceNames[1], "anything", "bad\\name" })
        {
            Assert.Equal(VD_E_OPEN, set.Client.OpenDevice(name, out var none));
            Assert.Null(none);
        }

        // The device opened second carries the server's second device's commands.
        var flush = set.Send(1, VdCommandCode.VDC_Flush);
        Assert.Equal(NOERROR, second!.GetCommand(Waits.Prompt, out var command));
        Assert.Equal(NOERROR, second.CompleteCommand(command!, Win32Error.ERROR_SUCCESS, 0, 0));
        Assert.Equal(Win32Error.ERROR_SUCCESS, set.Log.WaitFor(flush).Code);
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task OpenDevice_of_a_name_that_is_no_device_of_the_set_is_VD_E_INVALID(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation, deviceCount: 2).ServerActive();
        foreach (string name in new[] { "not-a-device-of-the-set", string.Empty, "back\\slash", "nul\0inside", set.Name.ToUpperInvariant() })
        {
            Assert.Equal(VD_E_INVALID, set.Client.OpenDevice(name, out var device));
            Assert.Null(device);
        }

        Assert.Equal(NOERROR, set.Client.OpenDevice(set.DeviceNames[1], out _));
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task Threads_racing_to_open_one_device_get_it_once_and_the_others_VD_E_PROTOCOL(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation, deviceCount: 2).ServerActive();
        using var start = new Barrier(8);
        var racers = Enumerable.Range(0, 8).Select(racer => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait();
                return set.Client.OpenDevice(set.DeviceNames[1], out _);
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();
        var results = new List<VdiResult>();
        foreach (var racer in racers)
        {
            results.Add(await racer.Within("a racing OpenDevice"));
        }

        Assert.Single(results, r => r == NOERROR);
        Assert.All(results.Where(r => r != NOERROR), r => Assert.Equal(VD_E_PROTOCOL, r));
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task OpenDevice_before_the_server_named_the_device_succeeds_once_the_server_names_it(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation, deviceCount: 2).Initialized();
        SetUnderTest.Expect(set.Server.OpenDevice(set.DeviceNames[0], out set.ServerDevices[0]));

        var opening = Waits.Asleep(() => (set.Client.OpenDevice(set.DeviceNames[1], out IClientVirtualDevice? device), device), "OpenDevice of a device the server has not named");
        SetUnderTest.Expect(set.Server.OpenDevice(set.DeviceNames[1], out set.ServerDevices[1]));
        var (result, opened) = await opening.Within("OpenDevice once the server named the device");
        Assert.Equal(NOERROR, result);

        // It is that device: a command sent on the server's second device arrives there.
        Assert.Equal(NOERROR, set.ServerDevices[1]!.SendCommand(set.Log.Command(VdCommandCode.VDC_Flush)));
        Assert.Equal(NOERROR, opened!.GetCommand(Waits.Prompt, out var command));
        Assert.Equal(VdCommandCode.VDC_Flush, command!.CommandCode);
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task OpenDevice_of_an_unknown_name_while_a_device_is_unnamed_is_VD_E_INVALID_once_every_device_is_named(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation, deviceCount: 2).Initialized();
        SetUnderTest.Expect(set.Server.OpenDevice(set.DeviceNames[0], out set.ServerDevices[0]));
        var opening = Waits.Asleep(() => set.Client.OpenDevice("never-named", out _), "OpenDevice of a name no device has yet");
        SetUnderTest.Expect(set.Server.OpenDevice(set.DeviceNames[1], out set.ServerDevices[1]));
        Assert.Equal(VD_E_INVALID, await opening.Within("OpenDevice of an unknown name after every device was named"));
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task OpenDevice_before_GetConfiguration_is_VD_E_PROTOCOL_even_when_the_server_has_finished(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation).Configurable();
        SetUnderTest.Expect(set.Server.RequestBuffers(65536, 0, 2));
        SetUnderTest.Expect(set.Server.EndConfiguration());
        SetUnderTest.Expect(set.Server.OpenDevice(set.Name, out set.ServerDevices[0]));

        Assert.Equal(VD_E_PROTOCOL, set.Client.OpenDevice(set.Name, out var device));
        Assert.Null(device);
        Assert.Equal(NOERROR, set.Client.GetConfiguration(0, out _));
        Assert.Equal(NOERROR, set.Client.OpenDevice(set.Name, out device));
        Assert.NotNull(device);
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task A_device_opens_once_across_the_primary_and_a_secondary(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation, deviceCount: 3).ServerActive();
        Assert.Equal(NOERROR, set.Client.OpenDevice(set.DeviceNames[0], out _));
        using var secondary = fixture.Create(implementation);
        Assert.Equal(NOERROR, secondary.OpenInSecondaryEx(null, set.Name));
        Assert.Equal(NOERROR, secondary.GetConfiguration(0, out var config));
        Assert.Equal(set.Negotiated.ToString(), config.ToString());
        Assert.Equal(VD_E_PROTOCOL, secondary.OpenDevice(set.DeviceNames[0], out _));
        Assert.Equal(NOERROR, secondary.OpenDevice(set.DeviceNames[1], out var second));
        Assert.Equal(VD_E_PROTOCOL, set.Client.OpenDevice(set.DeviceNames[1], out _));
        Assert.Equal(NOERROR, set.Client.OpenDevice(set.DeviceNames[2], out _));
        Assert.Equal(VD_E_OPEN, secondary.OpenDevice(set.DeviceNames[2], out _));

        var flush = set.Send(1, VdCommandCode.VDC_Flush);
        Assert.Equal(NOERROR, second!.GetCommand(Waits.Prompt, out var command));
        Assert.Equal(NOERROR, second.CompleteCommand(command!, Win32Error.ERROR_SUCCESS, 0, 0));
        Assert.Equal(Win32Error.ERROR_SUCCESS, set.Log.WaitFor(flush).Code);
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task OpenInSecondary_of_a_set_that_does_not_exist_or_is_not_configured_is_VD_E_PROTOCOL(ClientImplementation implementation)
    {
        await Task.Yield();
        using var secondary = fixture.Create(implementation);
        Assert.Equal(VD_E_PROTOCOL, secondary.OpenInSecondary(SetNames.Unique()));
        using var set = new SetUnderTest(fixture, implementation).Created();
        Assert.Equal(VD_E_PROTOCOL, secondary.OpenInSecondary(set.Name));
        Assert.Equal(VD_E_PROTOCOL, secondary.Close());
    }
}
