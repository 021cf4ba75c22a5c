using OpenVdi.SqlServer.TestPeer;
using OpenVdi.SqlServer.Tests.Infrastructure;
using OpenVdi.Testing;
using static OpenVdi.VdiResult;

namespace OpenVdi.SqlServer.Tests.Contract;

/// <summary>CreateEx's checks and the names it takes, for every implementation; instance names where they differ.</summary>
[Collection(BindingCollection.Name)]
public sealed class CreateTests(BindingFixture fixture)
{
    public static TheoryData<ClientImplementation, uint, VdiResult> DeviceCounts() => Implementations.Each<uint, VdiResult>(
        (0, VD_E_NOTSUPPORTED), (1, NOERROR), (64, NOERROR), (65, VD_E_NOTSUPPORTED), (1000, VD_E_NOTSUPPORTED));

    [Theory(Timeout = 20000)]
    [MemberData(nameof(DeviceCounts))]
    public async Task CreateEx_takes_1_to_64_devices(ClientImplementation implementation, uint deviceCount, VdiResult expected)
    {
        await Task.Yield();
        AssertCreateEx(implementation, expected, new VdConfig { DeviceCount = deviceCount });
    }

    /// <summary>Every documented personality with its optional bits is accepted; anything else is VD_E_NOTSUPPORTED.</summary>
    public static TheoryData<ClientImplementation, VdFeatures, VdiResult> Features()
    {
        var cases = new List<(VdFeatures, VdiResult)>();
        VdFeatures[] personalities = [VdFeatures.VDF_LikePipe, VdFeatures.VDF_Removable, VdFeatures.VDF_LikeTape, VdFeatures.VDF_LikeDisk, VdFeatures.VDF_LikeDisk | VdFeatures.VDF_Removable];
        VdFeatures[] extras = [0, VdFeatures.VDF_Discard, VdFeatures.VDF_SnapshotPrepare, VdFeatures.VDF_RequestComplete, VdFeatures.VDF_Discard | VdFeatures.VDF_SnapshotPrepare | VdFeatures.VDF_RequestComplete];
        foreach (var personality in personalities)
        {
            cases.AddRange(extras.Select(extra => (personality | extra, NOERROR)));
        }

        VdFeatures[] refused =
        [
            VdFeatures.VDF_Rewind, VdFeatures.VDF_Position, VdFeatures.VDF_SkipBlocks, VdFeatures.VDF_ReversePosition,
            VdFeatures.VDF_FileMarks, VdFeatures.VDF_FileMarks | VdFeatures.VDF_Position, VdFeatures.VDF_LikeTape & ~VdFeatures.VDF_Rewind,
            VdFeatures.VDF_LikeTape | VdFeatures.VDF_RandomAccess, VdFeatures.VDF_RandomAccess | VdFeatures.VDF_FileMarks,
            VdFeatures.VDF_RandomAccess | VdFeatures.VDF_Position, VdFeatures.VDF_Removable | VdFeatures.VDF_Rewind,
            VdFeatures.VDF_EnumFrozenFiles, VdFeatures.VDF_VSSWriter, VdFeatures.VDF_LatchStats, (VdFeatures)0x4, (VdFeatures)0x100000,

            // The server's own bits.
            VdFeatures.VDF_WriteMedia, VdFeatures.VDF_ReadMedia, VdFeatures.VDF_CompleteEnabled,
            VdFeatures.VDF_RequestComplete | VdFeatures.VDF_CompleteEnabled, VdFeatures.VDF_LikeDisk | VdFeatures.VDF_WriteMedia | VdFeatures.VDF_ReadMedia,
        ];
        cases.AddRange(refused.Select(features => (features, VD_E_NOTSUPPORTED)));
        return Implementations.Each([.. cases]);
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Features))]
    public async Task CreateEx_takes_the_documented_feature_combinations_only(ClientImplementation implementation, VdFeatures features, VdiResult expected)
    {
        await Task.Yield();
        AssertCreateEx(implementation, expected, new VdConfig { DeviceCount = 1, Features = features });
    }

    public static TheoryData<ClientImplementation, uint, uint, VdiResult> Alignments() => Implementations.Each<uint, uint, VdiResult>(
        (0, 0, NOERROR), (1, 0, NOERROR), (512, 0, NOERROR), (65536, 0, NOERROR),
        (3, 0, VD_E_NOTSUPPORTED), (1000, 0, VD_E_NOTSUPPORTED), (4097, 0, VD_E_NOTSUPPORTED), (131072, 0, VD_E_NOTSUPPORTED), (0x80000000, 0, VD_E_NOTSUPPORTED),
        (0, 1 << 20, NOERROR), (0, (1 << 20) + 1, VD_E_NOTSUPPORTED));

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Alignments))]
    public async Task CreateEx_takes_alignments_that_are_powers_of_two_up_to_64_KiB_and_prefix_zones_up_to_1_MiB(ClientImplementation implementation, uint alignment, uint prefixZoneSize, VdiResult expected)
    {
        await Task.Yield();
        AssertCreateEx(implementation, expected, new VdConfig { DeviceCount = 1, Alignment = alignment, PrefixZoneSize = prefixZoneSize });
    }

    public static TheoryData<ClientImplementation, string> InvalidNames() =>
        Implementations.Each(string.Empty, "with\\backslash", "\\", new string('n', 257), "nul\0inside");

    [Theory(Timeout = 20000)]
    [MemberData(nameof(InvalidNames))]
    public async Task CreateEx_of_an_invalid_set_name_is_VD_E_INVALID(ClientImplementation implementation, string name)
    {
        await Task.Yield();
        using var client = fixture.Create(implementation);
        Assert.Equal(VD_E_INVALID, client.CreateEx(null, name, new VdConfig { DeviceCount = 1 }));
        Assert.Equal(VD_E_PROTOCOL, client.Close());
    }

    /// <summary>
    /// A string with an unpaired surrogate is no text: UTF-8 cannot carry it to libsqlvdi.so, and a lenient encoder
    /// would name another set (U+FFFD). (Built here: theory data would not carry such strings intact.)
    /// </summary>
    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task A_name_that_is_not_text_is_VD_E_INVALID(ClientImplementation implementation)
    {
        await Task.Yield();
        string unique = SetNames.Unique();
        using var client = fixture.Create(implementation);
        foreach (string name in new[] { unique + "\uD800", "\uDC00" + unique, unique + "\uDC00\uD800" })
        {
            Assert.Equal(VD_E_INVALID, client.CreateEx(null, name, new VdConfig { DeviceCount = 1 }));
            Assert.Equal(VD_E_INVALID, client.OpenInSecondaryEx(null, name));
        }

        Assert.Equal(VD_E_PROTOCOL, client.Close());
        Assert.Empty(SetNames.SegmentsOf(unique));
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task A_name_of_256_characters_is_a_set_name(ClientImplementation implementation)
    {
        await Task.Yield();
        string unique = SetNames.Unique();
        string name = unique + new string('x', 256 - unique.Length);
        using (var client = fixture.Create(implementation))
        {
            Assert.Equal(NOERROR, client.CreateEx(null, name, new VdConfig { DeviceCount = 1 }));
            using var server = new ServerVirtualDeviceSet();
            Assert.Equal(NOERROR, server.Open(null, name));
        }

        Assert.Empty(SetNames.SegmentsOf(unique));
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task Set_names_are_case_sensitive_so_two_names_differing_in_case_are_two_sets(ClientImplementation implementation)
    {
        await Task.Yield();
        string lower = SetNames.Unique("case");
        string upper = lower.ToUpperInvariant();
        using (var a = fixture.Create(implementation))
        using (var b = fixture.Create(implementation))
        {
            Assert.Equal(NOERROR, a.CreateEx(null, lower, new VdConfig { DeviceCount = 1 }));
            Assert.Equal(NOERROR, b.CreateEx(null, upper, new VdConfig { DeviceCount = 2 }));
            using var server = new ServerVirtualDeviceSet();
            Assert.Equal(NOERROR, server.Open(null, upper));
            Assert.Equal(NOERROR, server.GetConfiguration(out var config));
            Assert.Equal(2u, config.DeviceCount);
        }

        Assert.Empty(SetNames.SegmentsOf(lower));
        Assert.Empty(SetNames.SegmentsOf(upper));
    }

    public static TheoryData<ClientImplementation, string> InvalidInstanceNames() =>
        Implementations.Each("bad name", "1startsWithDigit", "SEVENTEENCHARSXYZ", "MACHINE\\INSTANCE", "inst-dash", "inst.dot");

    [Theory(Timeout = 20000)]
    [MemberData(nameof(InvalidInstanceNames))]
    public async Task CreateEx_of_a_name_no_instance_can_have_is_VD_E_INSTANCE_NAME(ClientImplementation implementation, string instance)
    {
        await Task.Yield();
        string name = SetNames.Unique();
        using (var client = fixture.Create(implementation))
        {
            Assert.Equal(VD_E_INSTANCE_NAME, client.CreateEx(instance, name, new VdConfig { DeviceCount = 1 }));
            Assert.Equal(VD_E_PROTOCOL, client.Close());
        }

        Assert.Empty(SetNames.SegmentsOf(name));
    }

    /// <summary>
    /// The name travels as UTF-8 to libsqlvdi.so and as UTF-16 to sqlvdi.dll: a name beyond ASCII reaches the library
    /// whole, and the server finds the set by it.
    /// </summary>
    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task A_name_beyond_ASCII_names_the_same_set_for_the_server(ClientImplementation implementation)
    {
        await Task.Yield();
        string unique = SetNames.Unique();
        string name = unique + " {GUID}/..:*?é€\U0001F600";
        using (var client = fixture.Create(implementation))
        {
            Assert.Equal(NOERROR, client.CreateEx(null, name, new VdConfig { DeviceCount = 3 }));
            using var server = new ServerVirtualDeviceSet();
            Assert.Equal(NOERROR, server.Open(null, name));
            Assert.Equal(NOERROR, server.GetConfiguration(out var requested));
            Assert.Equal(3u, requested.DeviceCount);
        }

        Assert.Empty(SetNames.SegmentsOf(unique));
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task Every_client_input_of_the_configuration_reaches_the_server(ClientImplementation implementation)
    {
        await Task.Yield();
        var config = new VdConfig
        {
            DeviceCount = 7,
            Features = VdFeatures.VDF_LikeTape | VdFeatures.VDF_RequestComplete,
            PrefixZoneSize = 4096,
            Alignment = 8192,
            SoftFileMarkBlockSize = 65536,
            EOMWarningSize = 1 << 20,
            ServerTimeOut = 600000,
        };
        string name = SetNames.Unique();
        using var client = fixture.Create(implementation);
        Assert.Equal(NOERROR, client.CreateEx(null, name, config));
        using var server = new ServerVirtualDeviceSet();
        Assert.Equal(NOERROR, server.Open(null, name));
        Assert.Equal(NOERROR, server.GetConfiguration(out var requested));
        Assert.Equal(config.ToString(), requested.ToString());
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task A_second_CreateEx_of_a_live_name_is_VD_E_BUSY_and_leaves_the_first_set_alone(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation).Created();
        using (var second = fixture.Create(implementation))
        {
            Assert.Equal(VD_E_BUSY, second.CreateEx(null, set.Name, new VdConfig { DeviceCount = 2 }));
            Assert.Equal(VD_E_PROTOCOL, second.Close());
        }

        set.Initialized();
        Assert.Equal(1u, set.Negotiated.DeviceCount);
    }

    /// <summary>
    /// The default instance, by any of its names, is the server's default instance for every implementation. Linux has
    /// no other: the Linux binding answers VD_E_INSTANCE_NAME for a named instance (a documented difference), where
    /// OpenVdi and sqlvdi.dll create the set in that instance.
    /// </summary>
    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task The_default_instance_by_any_name_and_named_instances_where_the_platform_has_them(ClientImplementation implementation)
    {
        await Task.Yield();
        foreach (string? instance in new[] { null, string.Empty, "MSSQLSERVER", "mssqlserver" })
        {
            string name = SetNames.Unique();
            using var client = fixture.Create(implementation);
            Assert.Equal(NOERROR, client.CreateEx(instance, name, new VdConfig { DeviceCount = 1 }));
            using var server = new ServerVirtualDeviceSet();
            Assert.Equal(NOERROR, server.Open(null, name));
        }

        string named = SetNames.Unique();
        using (var client = fixture.Create(implementation))
        {
            var result = client.CreateEx("SQLEXPRESS", named, new VdConfig { DeviceCount = 1 });
            if (implementation == ClientImplementation.LinuxBinding)
            {
                Assert.Equal(VD_E_INSTANCE_NAME, result);
                Assert.Equal(VD_E_INSTANCE_NAME, client.OpenInSecondaryEx("SQLEXPRESS", named));
                Assert.Equal(VD_E_PROTOCOL, client.Close());
            }
            else
            {
                Assert.Equal(NOERROR, result);
                using var server = new ServerVirtualDeviceSet();
                Assert.Equal(NOERROR, server.Open("SQLEXPRESS", named));
            }

        }

        Assert.Empty(SetNames.SegmentsOf(named));
    }

    private void AssertCreateEx(ClientImplementation implementation, VdiResult expected, VdConfig config)
    {
        string name = SetNames.Unique();
        using (var client = fixture.Create(implementation))
        {
            var result = client.CreateEx(null, name, config);
            Assert.True(expected == result, $"{implementation}: CreateEx of {config} answered {result}, expected {expected}.");
            Assert.Equal(expected == NOERROR ? NOERROR : VD_E_PROTOCOL, client.Close());
        }

        Assert.Empty(SetNames.SegmentsOf(name));
    }
}
