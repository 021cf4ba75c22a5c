using OpenVdi.Tests.Infrastructure;

namespace OpenVdi.Tests.Idiomatic;

public class VirtualDeviceSetTests
{
    [Fact(Timeout = 20000)]
    public async Task A_whole_backup_through_the_idiomatic_API_from_Create_to_Dispose()
    {
        using var loopback = new Loopback();
        var config = new VdConfig { DeviceCount = 1, Features = VdFeatures.VDF_RequestComplete };
        await using var set = VirtualDeviceSet.Create(loopback.Name, config);
        Assert.True(set.IsPrimary);
        Assert.Same(loopback.Name, set.Name);
        Assert.Equal(loopback.Name, Assert.IsType<ClientVirtualDeviceSet>(set.Faithful).Name);

        var configuration = set.GetConfigurationAsync();
        Assert.False(configuration.IsCompleted, "The server has not configured the set yet.");
        Loopback.Expect(loopback.Server.Open(null, loopback.Name));
        Loopback.Expect(loopback.Server.BeginConfiguration(VdFeatures.VDF_RequestComplete | VdFeatures.VDF_WriteMedia | VdFeatures.VDF_CompleteEnabled, 512, 0, 65536, 0));
        Loopback.Expect(loopback.Server.RequestBuffers(65536, 0, 4));
        Loopback.Expect(loopback.Server.EndConfiguration());
        var negotiated = await configuration.Within();
        Assert.Equal(65536u, negotiated.MaxTransferSize);
        Assert.True(negotiated.Features.HasFlag(VdFeatures.VDF_CompleteEnabled));
        Assert.Equal(negotiated.MaxTransferSize, set.Configuration?.MaxTransferSize);

        Loopback.Expect(loopback.Server.OpenDevice(loopback.Name, out loopback.ServerDevices[0]));
        loopback.StartAgent();
        var device = set.OpenDevice(loopback.Name);
        var data = IdiomaticLoopback.Pattern(200_000);
        var script = ServerScript.Backup(loopback, data, [65536, 4096, 512], out var server);

        using var received = new MemoryStream();
        while (await device.GetCommandAsync().Within() is { } command)
        {
            if (command.Code == VdCommandCode.VDC_Write)
            {
                received.Write(command.Data);
            }

            command.Complete();
        }

        await server.Within();
        Assert.Equal(data, received.ToArray());
        Assert.All(script.Sent, c => Assert.Equal(Win32Error.ERROR_SUCCESS, c.CompletionCode));
        Assert.Equal(VdCommandCode.VDC_Complete, script.Sent[^1].CommandCode);
        Assert.Equal(VdiResult.NOERROR, loopback.AgentResult());
        set.Close();
    }

    [Fact]
    public void Create_failures_become_VdiException_with_the_documented_code()
    {
        string name = SetNames.Unique();
        var one = new VdConfig { DeviceCount = 1 };
        using (var set = VirtualDeviceSet.Create(name, one))
        {
            var busy = Assert.Throws<VdiException>(() => VirtualDeviceSet.Create(name, one));
            Assert.Equal(VdiResult.VD_E_BUSY, busy.Result);
            Assert.Contains(name, busy.Message, StringComparison.Ordinal);
        }

        Assert.Equal(VdiResult.VD_E_NOTSUPPORTED, Assert.Throws<VdiException>(() => VirtualDeviceSet.Create(SetNames.Unique(), new VdConfig { DeviceCount = 65 })).Result);
        Assert.Equal(VdiResult.VD_E_INVALID, Assert.Throws<VdiException>(() => VirtualDeviceSet.Create(SetNames.Unique() + "\\x", one)).Result);
        Assert.Equal(VdiResult.VD_E_PROTOCOL, Assert.Throws<VdiException>(() => VirtualDeviceSet.OpenSecondary(SetNames.Unique())).Result);
        Assert.Throws<ArgumentNullException>(() => VirtualDeviceSet.Create(null!, one));
        Assert.Throws<ArgumentException>(() => VirtualDeviceSet.FromFaithful(new ClientVirtualDeviceSet()));
        Assert.Empty(SetNames.SegmentsOf(name));
    }

    [Fact(Timeout = 20000)]
    public async Task A_configuration_wait_with_a_timeout_ends_with_VD_E_TIMEOUT()
    {
        using var loopback = new Loopback().Created();
        using var set = VirtualDeviceSet.FromFaithful(loopback.Client);

        var e = await Assert.ThrowsAsync<VdiException>(() => set.GetConfigurationAsync(TimeSpan.FromMilliseconds(120)).Within());

        Assert.True(e.IsTimeout);
        Assert.False(set.TryGetConfiguration(TimeSpan.Zero, out _));
        Assert.True((await Assert.ThrowsAsync<VdiException>(() => set.GetConfigurationAsync(TimeSpan.Zero))).IsTimeout);
    }

    [Fact(Timeout = 20000)]
    public async Task A_configuration_wait_ends_with_VD_E_ABORT_when_the_set_aborts()
    {
        using var loopback = new Loopback().Created();
        using var set = VirtualDeviceSet.FromFaithful(loopback.Client);
        var pending = set.GetConfigurationAsync();
        Assert.False(pending.IsCompleted);

        set.Abort();

        Assert.True((await Assert.ThrowsAsync<VdiException>(() => pending.Within())).IsAbort);
        Assert.True(set.IsAborted);
    }

    [Fact(Timeout = 20000)]
    public async Task Close_with_a_device_still_open_aborts_releases_and_says_so()
    {
        await Task.Yield();
        using var loopback = new Loopback();
        var set = loopback.ActiveIdiomatic(out var devices);

        var e = Assert.Throws<VdiException>(set.Close);

        Assert.Equal(VdiResult.VD_E_OPEN, e.Result);
        Assert.Equal(VdiResult.VD_E_ABORT, loopback.AgentResult());
        Assert.Throws<ObjectDisposedException>(() => set.OpenDevice("x"));
        Assert.Throws<ObjectDisposedException>(() => devices[0].TryGetCommand(TimeSpan.Zero, out _));
        set.Dispose();
    }

    [Fact(Timeout = 20000)]
    public async Task A_secondary_maps_a_buffer_handle_to_the_same_bytes_until_the_command_completes()
    {
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices);
        using var secondary = VirtualDeviceSet.OpenSecondary(loopback.Name);
        Assert.False(secondary.IsPrimary);
        Assert.Equal(set.Configuration?.MaxTransferSize, secondary.Configuration?.MaxTransferSize);
        nint buffer = loopback.Allocate();
        IdiomaticLoopback.Pattern(8192, seed: 7).CopyTo(loopback.Server.GetBufferSpan(buffer, 8192));
        loopback.Send(0, VdCommandCode.VDC_Write, 8192, buffer);
        var command = Assert.NotNull(await devices[0].GetCommandAsync().Within());

        uint handle = set.GetBufferHandle(command);
        var mapped = secondary.MapBufferHandle(handle, (int)command.Size);
        var memory = secondary.MapBufferHandleAsMemory(handle, 100);

        Assert.True(mapped.SequenceEqual(command.Data));
        Assert.True(memory.Span.SequenceEqual(command.Data[..100]));
        Assert.Throws<ArgumentOutOfRangeException>(() => secondary.MapBufferHandle(handle, 65537).Length);
        command.Complete();
        Assert.Equal(VdiResult.VD_E_INVALID, Assert.Throws<VdiException>(() => secondary.MapBufferHandle(handle, 1).Length).Result);
    }
}
