using Xunit;

namespace OpenVdi.Testing;

/// <summary>The server's side of a set served from the test's own process, configured as a BACKUP configures it.</summary>
public static class BackupServer
{
    /// <summary>
    /// Opens the set <paramref name="name"/> that a client created, configures it for a BACKUP (512-byte blocks,
    /// 64 KiB transfers, <paramref name="buffers"/> buffers of 64 KiB) and opens its first device; fails the test on
    /// any other answer than NOERROR.
    /// </summary>
    public static IServerVirtualDevice Open(ServerVirtualDeviceSet server, string name, uint buffers = 1)
    {
        Assert.Equal(VdiResult.NOERROR, server.Open(null, name));
        Assert.Equal(VdiResult.NOERROR, server.BeginConfiguration(VdFeatures.VDF_WriteMedia, 512, 0, 65536, 0));
        Assert.Equal(VdiResult.NOERROR, server.RequestBuffers(65536, 0, buffers));
        Assert.Equal(VdiResult.NOERROR, server.EndConfiguration());
        Assert.Equal(VdiResult.NOERROR, server.OpenDevice(name, out var device));
        return device!;
    }
}
