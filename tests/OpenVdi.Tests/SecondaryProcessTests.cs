using System.Globalization;
using System.Runtime.InteropServices;
using OpenVdi.Testing;
using OpenVdi.TestPeer;
using OpenVdi.Tests.Infrastructure;

namespace OpenVdi.Tests;

/// <summary>
/// Several processes serve one set (spec §10.2, §10.3): a secondary fetches a command, hands its buffer to the
/// primary by handle, and completes it once the primary is done.
/// </summary>
public class SecondaryProcessTests
{
    [Fact(Timeout = 60000)]
    public async Task A_secondary_passes_a_buffer_to_the_primary_by_handle()
    {
        using var set = new Loopback(deviceCount: 2).Initialized();
        string secondaryDevice = set.DeviceNames[1];
        Loopback.Expect(set.Server.OpenDevice(set.DeviceNames[0], out set.ServerDevices[0]));
        Loopback.Expect(set.Server.OpenDevice(secondaryDevice, out set.ServerDevices[1]));
        set.StartAgent();
        using var secondary = PeerProcess.Start("secondary", set.Name, secondaryDevice);

        nint buffer = set.Allocate();
        TestPattern.Fill(5, 0, set.Server.GetBufferSpan(buffer, 65536));
        var completed = new List<VdsCommand>();
        set.Send(1, VdCommandCode.VDC_Write, 65536, buffer, completed);

        string[] said = (await secondary.WaitForLineAsync("handle ")).Split(' ');
        uint handle = uint.Parse(said[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        nint secondaryAddress = nint.Parse(said[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

        // The primary maps the handle in its own address space and sees the same bytes.
        Assert.Equal(VdiResult.NOERROR, set.Client.MapBufferHandle(handle, out nint mapped));
        Assert.NotEqual(0, mapped);
        var bytes = new byte[65536];
        Marshal.Copy(mapped, bytes, 0, bytes.Length);
        Assert.Equal(-1, TestPattern.FirstMismatch(5, 0, bytes));

        // The mapped address is that very buffer here, not a copy (the two addresses may or may not be equal): it gives
        // back the secondary's handle, and what this process writes through it is what the server and the secondary see.
        Assert.Equal(VdiResult.NOERROR, set.Client.GetBufferHandle(mapped, out uint again));
        Assert.Equal(handle, again);
        var written = new byte[65536];
        TestPattern.Fill(6, 0, written);
        Marshal.Copy(written, 0, mapped, written.Length);
        Assert.Equal(-1, TestPattern.FirstMismatch(6, 0, set.Server.GetBufferSpan(buffer, 65536)));

        // The command stays outstanding until its taker completes it; first the secondary says what it sees.
        Assert.Empty(completed);
        secondary.Send("done");
        string seen = await secondary.WaitForLineAsync("seen ");
        Assert.True(
            seen == $"seen {TestPattern.Checksum(written):X16}",
            $"The secondary's address 0x{secondaryAddress:X} does not show what the primary wrote at 0x{mapped:X} ({seen}).");
        Assert.StartsWith("completed VDC_Write", await secondary.WaitForLineAsync("completed"));
        Loopback.WaitForCompletions(completed, 1);
        Assert.Equal(Win32Error.ERROR_SUCCESS, completed[0].CompletionCode);
        Assert.Equal(65536u, completed[0].BytesTransferred);
        Assert.Equal(VdiResult.VD_E_INVALID, set.Client.MapBufferHandle(handle, out _));

        Loopback.Expect(set.ServerDevices[1]!.CloseDevice());
        await secondary.WaitForLineAsync("closed");
        Assert.Equal(0, await secondary.WaitForExitAsync());
    }

    [Fact]
    public void A_secondary_cannot_attach_before_the_primary_got_the_configuration_nor_twice()
    {
        using var set = new Loopback().Connected();
        using var early = new ClientVirtualDeviceSet();
        Assert.Equal(VdiResult.VD_E_PROTOCOL, early.OpenInSecondaryEx(null, set.Name));
        Assert.Equal(VdiResult.VD_E_PROTOCOL, early.OpenInSecondaryEx(null, SetNames.Unique()));
        Loopback.Expect(set.Server.BeginConfiguration(VdFeatures.VDF_WriteMedia, 512, 0, 65536, 0));
        Loopback.Expect(set.Server.RequestBuffers(65536, 0, 1));
        Loopback.Expect(set.Server.EndConfiguration());

        // Configured by the server, but the primary's GetConfiguration has not returned: not ready for secondaries (§3.9).
        Assert.Equal(VdiResult.VD_E_PROTOCOL, early.OpenInSecondaryEx(null, set.Name));
        Loopback.Expect(set.Client.GetConfiguration(1000, out _));
        Assert.Equal(VdiResult.NOERROR, early.OpenInSecondaryEx(null, set.Name));
        Assert.Equal(VdiResult.VD_E_PROTOCOL, early.OpenInSecondaryEx(null, set.Name));
        Assert.Equal(VdiResult.NOERROR, early.Close());
    }
}
