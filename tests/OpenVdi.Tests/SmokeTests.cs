namespace OpenVdi.Tests;

public class SmokeTests
{
    [Fact(Timeout = 20000)]
    public async Task One_device_backup_round_trip()
    {
        await Task.Yield();
        string name = "smoke-" + Guid.NewGuid().ToString("N");
        using var client = new ClientVirtualDeviceSet();
        var cfg = new VdConfig { DeviceCount = 1 };
        Assert.Equal(VdiResult.NOERROR, client.CreateEx(null, name, cfg));

        using var server = new ServerVirtualDeviceSet();
        Assert.Equal(VdiResult.NOERROR, server.Open(null, name));
        Assert.Equal(VdiResult.NOERROR, server.BeginConfiguration(VdFeatures.VDF_WriteMedia, 512, 0, 65536, 0));
        Assert.Equal(VdiResult.NOERROR, server.RequestBuffers(65536, 0, 4));
        Assert.Equal(VdiResult.NOERROR, server.EndConfiguration());
        Assert.Equal(VdiResult.NOERROR, client.GetConfiguration(1000, out var got));
        Assert.Equal(65536u, got.MaxTransferSize);
        Assert.Equal(VdiResult.NOERROR, server.OpenDevice(name, out var sdev));
        var agent = Task.Run(server.ExecuteCompletionAgent);
        Assert.Equal(VdiResult.NOERROR, client.OpenDevice(name, out var cdev));

        int completions = 0;
        Assert.Equal(VdiResult.NOERROR, server.AllocateBuffer(out nint buf, 65536, 0));
        server.GetBufferSpan(buf, 65536).Fill(7);
        var cmd = new VdsCommand { CommandCode = VdCommandCode.VDC_Write, Size = 65536, Buffer = buf, CompletionRoutine = c => Interlocked.Increment(ref completions) };
        Assert.Equal(VdiResult.NOERROR, sdev!.SendCommand(cmd));
        Assert.Equal(VdiResult.NOERROR, cdev!.GetCommand(1000, out var c));
        Assert.Equal(VdCommandCode.VDC_Write, c!.CommandCode);
        Assert.All(c.Data.ToArray(), b => Assert.Equal(7, b));
        Assert.Equal(VdiResult.NOERROR, cdev.CompleteCommand(c, 0, 65536, 0));
        Assert.Equal(VdiResult.NOERROR, sdev.CloseDevice());
        Assert.Equal(VdiResult.VD_E_CLOSE, cdev.GetCommand(1000, out _));
        Assert.Equal(VdiResult.NOERROR, await agent);
        Assert.Equal(1, completions);
        Assert.Equal(0u, cmd.CompletionCode);
        Assert.Equal(65536u, cmd.BytesTransferred);
        Assert.Equal(VdiResult.NOERROR, client.Close());
        Assert.Equal(VdiResult.NOERROR, server.Close());
        Assert.Empty(Directory.GetFiles("/dev/shm", "openvdi*" + name + "*"));
    }
}
