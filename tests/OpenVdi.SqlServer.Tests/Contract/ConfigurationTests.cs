using System.Diagnostics;
using OpenVdi.SqlServer.TestPeer;
using OpenVdi.SqlServer.Tests.Infrastructure;
using static OpenVdi.VdiResult;

namespace OpenVdi.SqlServer.Tests.Contract;

/// <summary>GetConfiguration: its timeouts, and the configuration the server settled, for every implementation.</summary>
[Collection(BindingCollection.Name)]
public sealed class ConfigurationTests(BindingFixture fixture)
{
    public static TheoryData<ClientImplementation, bool, uint> Timeouts() => Implementations.Each((false, 0u), (false, 50u), (true, 0u), (true, 50u));

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Timeouts))]
    public async Task GetConfiguration_before_the_server_ends_its_configuration_times_out_after_its_timeout(ClientImplementation implementation, bool serverConfiguring, uint timeoutMs)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation).Created();
        if (serverConfiguring)
        {
            set.Configurable();
            SetUnderTest.Expect(set.Server.RequestBuffers(65536, 0, 2));
        }

        var clock = Stopwatch.StartNew();
        Assert.Equal(VD_E_TIMEOUT, set.Client.GetConfiguration(timeoutMs, out var config));
        Assert.True(clock.ElapsedMilliseconds >= (long)timeoutMs - 1, $"GetConfiguration({timeoutMs}) gave up after {clock.ElapsedMilliseconds} ms.");
        Assert.Equal(default, config);

        // Still Configurable: the configuration arrives once the server ends it.
        if (!serverConfiguring)
        {
            set.Configurable();
            SetUnderTest.Expect(set.Server.RequestBuffers(65536, 0, 2));
        }

        SetUnderTest.Expect(set.Server.EndConfiguration());
        Assert.Equal(NOERROR, set.Client.GetConfiguration(0, out config));
        Assert.Equal(65536u, config.MaxTransferSize);
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task GetConfiguration_with_no_timeout_waits_until_the_server_ends_its_configuration(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation).Configurable();
        var waiting = Waits.Asleep(() => (set.Client.GetConfiguration(VdiTimeout.Infinite, out var config), config), "GetConfiguration(INFINITE)");
        SetUnderTest.Expect(set.Server.RequestBuffers(65536, 0, 2));
        SetUnderTest.Expect(set.Server.EndConfiguration());
        var (result, configuration) = await waiting.Within("GetConfiguration(INFINITE) after EndConfiguration");
        Assert.Equal(NOERROR, result);
        Assert.Equal(65536u, configuration.MaxTransferSize);
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task GetConfiguration_returns_the_configuration_the_server_settled(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation, deviceCount: 3, clientFeatures: VdFeatures.VDF_RequestComplete, prefixZoneSize: 128, serverTimeOut: 60000);
        set.Created();
        SetUnderTest.Expect(set.Server.Open(null, set.Name));
        SetUnderTest.Expect(set.Server.BeginConfiguration(VdFeatures.VDF_RequestComplete | VdFeatures.VDF_WriteMedia | VdFeatures.VDF_CompleteEnabled, 4096, 0, 131072, 0));
        SetUnderTest.Expect(set.Server.RequestBuffers(131072, 0, 3));
        SetUnderTest.Expect(set.Server.EndConfiguration());
        Assert.Equal(NOERROR, set.Client.GetConfiguration(0, out var config));
        Assert.Equal(3u, config.DeviceCount);
        Assert.Equal(VdFeatures.VDF_RequestComplete | VdFeatures.VDF_WriteMedia | VdFeatures.VDF_CompleteEnabled, config.Features);
        Assert.Equal(128u, config.PrefixZoneSize);
        Assert.Equal(60000u, config.ServerTimeOut);
        Assert.Equal(4096u, config.BlockSize);
        Assert.Equal(4u, config.MaxIODepth);
        Assert.Equal(131072u, config.MaxTransferSize);
        Assert.True(config.BufferAreaSize >= 3 * (131072u + 128u), $"bufferAreaSize {config.BufferAreaSize} cannot hold the three buffers requested.");
    }
}
