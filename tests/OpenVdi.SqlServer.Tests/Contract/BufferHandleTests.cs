using OpenVdi.SqlServer.TestPeer;
using OpenVdi.SqlServer.Tests.Infrastructure;
using static OpenVdi.VdiResult;

namespace OpenVdi.SqlServer.Tests.Contract;

/// <summary>GetBufferHandle and MapBufferHandle in one process (spec §3.10), for every implementation.</summary>
[Collection(BindingCollection.Name)]
public sealed class BufferHandleTests(BindingFixture fixture)
{
    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task A_delivered_data_buffer_has_a_handle_that_maps_to_its_bytes_until_its_command_completes(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation).Active();
        nint serverBuffer = set.Allocate();
        Random.Shared.NextBytes(set.Server.GetBufferSpan(serverBuffer, 65536));
        set.Send(0, VdCommandCode.VDC_Write, 65536, serverBuffer);
        var command = set.Fetch();

        Assert.Equal(NOERROR, set.Client.GetBufferHandle(command.Buffer, out uint handle));
        Assert.Equal(NOERROR, set.Client.MapBufferHandle(handle, out nint mapped));
        Assert.Equal(command.Buffer, mapped);

        // A secondary object of the set maps the handle too.
        using (var secondary = fixture.Create(implementation))
        {
            Assert.Equal(NOERROR, secondary.OpenInSecondaryEx(null, set.Name));
            Assert.Equal(NOERROR, secondary.MapBufferHandle(handle, out nint elsewhere));
            Assert.NotEqual(0, elsewhere);
            unsafe
            {
                Assert.True(new ReadOnlySpan<byte>((void*)elsewhere, 65536).SequenceEqual(command.Data), "The handle maps to other bytes in the secondary object.");
            }

            Assert.Equal(NOERROR, secondary.Close());
        }

        Assert.Equal(NOERROR, set.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 65536, 0));
        Assert.Equal(VD_E_INVALID, set.Client.MapBufferHandle(handle, out nint stale));
        Assert.Equal(0, stale);
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task Anything_but_a_delivered_data_buffer_or_a_live_handle_is_VD_E_INVALID(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation).Active();
        set.Send(0, VdCommandCode.VDC_Write, 4096, set.Allocate());
        var command = set.Fetch();
        nint[] addresses = [0, command.Buffer + 1, command.Buffer - 1, command.Buffer + 4096, 0x1000];
        foreach (nint address in addresses)
        {
            Assert.True(set.Client.GetBufferHandle(address, out _) == VD_E_INVALID, $"GetBufferHandle of 0x{address:X} was not VD_E_INVALID.");
        }

        Assert.Equal(VD_E_INVALID, set.Client.MapBufferHandle(0, out _));
        Assert.Equal(VD_E_INVALID, set.Client.MapBufferHandle(0xDEADBEEF, out _));
        Assert.Equal(NOERROR, set.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 4096, 0));
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task Without_a_configured_set_both_are_VD_E_PROTOCOL(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation);
        Assert.Equal(VD_E_PROTOCOL, set.Client.GetBufferHandle(0x1000, out _));
        Assert.Equal(VD_E_PROTOCOL, set.Client.MapBufferHandle(1, out _));
        set.Created();
        Assert.Equal(VD_E_PROTOCOL, set.Client.GetBufferHandle(0x1000, out _));
        Assert.Equal(VD_E_PROTOCOL, set.Client.MapBufferHandle(1, out _));
    }
}
