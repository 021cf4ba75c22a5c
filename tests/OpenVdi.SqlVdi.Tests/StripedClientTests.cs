using OpenVdi.SqlVdi.Tests.Infrastructure;

namespace OpenVdi.SqlVdi.Tests;

/// <summary>
/// A multi-threaded client, one thread per device, its set a member of its own struct, backs up over 1, 4 and 64
/// devices and restores byte for byte; every device's first buffer is the shared memory itself (zero copy).
/// </summary>
[Collection(SqlVdiCollection.Name)]
public sealed class StripedClientTests(SqlVdiFixture fixture)
{
    [Theory(Timeout = 300_000)]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(64)]
    public async Task A_thread_per_device_backs_up_and_restores_byte_for_byte(int devices)
    {
        const int transfer = 64 << 10;
        string name = $"striped{devices}";
        var original = fixture.CreateDatabase(name, (4 << 20) + (devices * 4096) + 512, seed: devices);
        string directory = fixture.NewDirectory(name);
        string count = devices.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var backup = await fixture.RunAsync("striped_client", ["B", count, directory], names => SqlVdiFixture.Backup(name, names, transfer));
        await fixture.RunAsync("striped_client", ["R", count, directory], names => SqlVdiFixture.Restore(name + "_copy", names, transfer));

        long stripes = Directory.EnumerateFiles(directory, "stripe-*.bak").Sum(file => new FileInfo(file).Length);
        Assert.Equal(devices, Directory.EnumerateFiles(directory, "stripe-*.bak").Count());
        Assert.Contains(backup, line => line == $"done devices={devices} bytes={stripes}");
        fixture.AssertSameBytes(original, name + "_copy");
    }
}
