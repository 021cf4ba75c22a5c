using System.Globalization;
using System.Security.Cryptography;
using OpenVdi.SqlServer.TestPeer;
using OpenVdi.SqlServer.Tests.Infrastructure;
using static OpenVdi.VdiResult;

namespace OpenVdi.SqlServer.Tests.CrossProcess;

/// <summary>
/// A secondary process of the same implementation (spec §10.2, §10.3): it attaches to the set, serves a device, and
/// hands buffers to the primary by handle; the primary maps them and moves the data in place.
/// </summary>
[Collection(BindingCollection.Name)]
public sealed class SecondaryProcessTests(BindingFixture fixture)
{
    [Theory(Timeout = 60000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task A_secondary_serves_a_device_and_passes_its_buffers_to_the_primary_by_handle(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation, deviceCount: 2).ServerActive();
        Assert.Equal(NOERROR, set.Client.OpenDevice(set.DeviceNames[0], out _));
        using var secondary = fixture.StartPeer("secondary", implementation.ToString(), set.Name, set.DeviceNames[1]);
        await secondary.WaitForLineAsync("attached");

        for (int i = 0; i < 3; i++)
        {
            // A BACKUP's Write on the secondary's device; the secondary hands the buffer over.
            nint serverBuffer = set.Allocate();
            Random.Shared.NextBytes(set.Server.GetBufferSpan(serverBuffer, 65536));
            var write = set.Send(1, VdCommandCode.VDC_Write, 65536, serverBuffer);
            string[] handed = (await secondary.WaitForLineAsync("handle ")).Split(' ');
            uint handle = uint.Parse(handed[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            Assert.Equal("65536", handed[2]);

            // The primary maps it and finds the server's bytes there; what it writes there the secondary sees: one
            // buffer, three processes' views (the server's here is this process's too).
            Assert.Equal(NOERROR, set.Client.MapBufferHandle(handle, out nint mapped));
            var bytes = new byte[65536];
            Random.Shared.NextBytes(bytes);
            unsafe
            {
                var view = new Span<byte>((void*)mapped, bytes.Length);
                Assert.True(view.SequenceEqual(set.Server.GetBufferSpan(serverBuffer, 65536)), "The mapped handle does not show the server's bytes.");
                bytes.CopyTo(view);
            }

            secondary.Send("done");
            Assert.Equal("seen " + Convert.ToHexString(SHA256.HashData(bytes)), await secondary.WaitForLineAsync("seen "));
            Assert.True(set.Server.GetBufferSpan(serverBuffer, 65536).SequenceEqual(bytes), "The server's buffer does not hold what the primary wrote through the handle.");
            Assert.Equal(65536u, set.Log.WaitFor(write).Bytes);
        }

        SetUnderTest.Expect(set.ServerDevices[1]!.CloseDevice());
        await secondary.WaitForLineAsync("closed");
        Assert.Equal(0, await secondary.WaitForExitAsync());
    }

    [Theory(Timeout = 60000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task A_handle_maps_to_the_same_bytes_in_another_process_and_dies_with_its_command(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation).Active();
        using var mapper = fixture.StartPeer("mapper", implementation.ToString(), set.Name);
        await mapper.WaitForLineAsync("attached");
        nint serverBuffer = set.Allocate();
        Random.Shared.NextBytes(set.Server.GetBufferSpan(serverBuffer, 65536));
        set.Send(0, VdCommandCode.VDC_Write, 65536, serverBuffer);
        var command = set.Fetch();
        Assert.Equal(NOERROR, set.Client.GetBufferHandle(command.Buffer, out uint handle));

        mapper.Send(string.Create(CultureInfo.InvariantCulture, $"map {handle:X8} 65536"));
        Assert.Equal($"mapped NOERROR {Convert.ToHexString(SHA256.HashData(command.Data))}", await mapper.WaitForLineAsync("mapped "));

        Assert.Equal(NOERROR, set.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 65536, 0));
        mapper.Send(string.Create(CultureInfo.InvariantCulture, $"map {handle:X8} 65536"));
        Assert.Equal("mapped VD_E_INVALID -", await mapper.WaitForLineAsync("mapped "));
        mapper.Send("close");
        Assert.Equal("closed NOERROR", await mapper.WaitForLineAsync("closed "));
    }
}
