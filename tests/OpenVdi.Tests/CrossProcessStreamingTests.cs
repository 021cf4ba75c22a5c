using OpenVdi.Testing;
using OpenVdi.TestPeer;
using OpenVdi.Tests.Infrastructure;

namespace OpenVdi.Tests;

/// <summary>A server in another process streams to this process's client: the whole path across real processes.</summary>
public class CrossProcessStreamingTests
{
    [Theory(Timeout = 120000)]
    [InlineData(1, 3 * 1024 * 1024 + 100)]
    [InlineData(4, 1024 * 1024)]
    [InlineData(64, 200 * 1024 + 7)]
    public async Task Every_byte_arrives_in_order_on_every_device(int devices, long bytesPerDevice)
    {
        string name = SetNames.Unique();
        using var client = new ClientVirtualDeviceSet();
        Assert.Equal(VdiResult.NOERROR, client.CreateEx(null, name, new VdConfig { DeviceCount = (uint)devices }));
        using var server = PeerProcess.Start("server-backup", name, devices.ToString(), bytesPerDevice.ToString());
        await server.WaitForLineAsync("configured");
        Assert.Equal(VdiResult.NOERROR, client.GetConfiguration(30000, out var config));
        Assert.Equal((uint)devices, config.DeviceCount);
        Assert.True((config.Features & VdFeatures.VDF_WriteMedia) != 0, "A backup's configuration carries VDF_WriteMedia.");

        var received = new long[devices];
        var failures = new string?[devices];
        var threads = Enumerable.Range(0, devices).Select(d => new Thread(() => failures[d] = Serve(client, d == 0 ? name : $"{name}.{d}", d, bytesPerDevice, out received[d]))).ToArray();
        foreach (var t in threads)
        {
            t.Start();
        }

        foreach (var t in threads)
        {
            Assert.True(t.Join(90000), "A device thread did not finish.");
        }

        Assert.All(failures, f => Assert.Null(f));
        Assert.All(received, r => Assert.Equal(bytesPerDevice, r));
        Assert.Equal(VdiResult.NOERROR, client.Close());
        Assert.Equal(0, await server.WaitForExitAsync());
        Assert.Empty(SetNames.SegmentsOf(name));
    }

    private static string? Serve(ClientVirtualDeviceSet client, string deviceName, int device, long expectedBytes, out long received)
    {
        received = 0;
        var open = client.OpenDevice(deviceName, out var vd);
        if (open != VdiResult.NOERROR)
        {
            return $"OpenDevice({deviceName}) = {open}";
        }

        bool flushed = false;
        while (true)
        {
            var result = vd!.GetCommand(30000, out var command);
            if (result == VdiResult.VD_E_CLOSE)
            {
                return flushed ? null : $"device {device} closed without a Flush";
            }

            if (result != VdiResult.NOERROR)
            {
                return $"GetCommand on device {device} = {result}";
            }

            if (command!.CommandCode == VdCommandCode.VDC_Write)
            {
                if (flushed)
                {
                    return "a Write came after the Flush";
                }

                // The stream's last transfer is padded to whole blocks with zeros.
                int payload = (int)Math.Min(command.Size, expectedBytes - received);
                long bad = TestPattern.FirstMismatch(device, received, command.Data[..payload]);
                if (bad >= 0)
                {
                    return $"device {device}: wrong byte at stream offset {bad}";
                }

                received += payload;
            }
            else if (command.CommandCode == VdCommandCode.VDC_Flush)
            {
                flushed = true;
            }

            Assert.Equal(VdiResult.NOERROR, vd.CompleteCommand(command, Win32Error.ERROR_SUCCESS, command.CommandCode == VdCommandCode.VDC_Write ? command.Size : 0, 0));
        }
    }
}
