using OpenVdi.Testing;
using OpenVdi.TestPeer;
using OpenVdi.Tests.Infrastructure;
using static OpenVdi.VdiResult;

namespace OpenVdi.Tests;

/// <summary>
/// Two sets whose handles do not cross, across real processes (the MapBufferHandle seed page: VD_E_INVALID for a
/// handle from another set). A peer process serves both sets; this process is both primaries and takes a handle
/// in each; one secondary process per set maps them.
/// </summary>
public class CrossSetHandleTests
{
    private const int PatternA = 20;
    private const int PatternB = PatternA + 1;

    [Fact(Timeout = 120000)]
    public async Task A_handle_maps_to_the_same_bytes_in_its_own_sets_secondary_process_and_is_VD_E_INVALID_in_another_sets()
    {
        string nameA = SetNames.Unique("a"), nameB = SetNames.Unique("b");
        using var clientA = new ClientVirtualDeviceSet();
        using var clientB = new ClientVirtualDeviceSet();
        Assert.Equal(NOERROR, clientA.CreateEx(null, nameA, new VdConfig { DeviceCount = 1 }));
        Assert.Equal(NOERROR, clientB.CreateEx(null, nameB, new VdConfig { DeviceCount = 1 }));

        // The server process sends one Write in each set, of pattern 20 in A and 21 in B, each in its set's only
        // buffer: the two handles name the same buffer index, so only the set tells them apart.
        using var server = PeerProcess.Start("server-writes", PatternA.ToString(System.Globalization.CultureInfo.InvariantCulture), nameA, nameB);
        var writeA = await FetchWrite(clientA, nameA, PatternA);
        var writeB = await FetchWrite(clientB, nameB, PatternB);
        Assert.Equal(NOERROR, clientA.GetBufferHandle(writeA.Buffer, out uint handleA));
        Assert.Equal(NOERROR, clientB.GetBufferHandle(writeB.Buffer, out uint handleB));
        Assert.NotEqual(handleA, handleB);

        using var secondaryA = PeerProcess.Start("mapper", nameA);
        using var secondaryB = PeerProcess.Start("mapper", nameB);
        await secondaryA.WaitForLineAsync("attached");
        await secondaryB.WaitForLineAsync("attached");

        // Each handle maps in its own set's secondary process, to the bytes the server process wrote ...
        Assert.Equal(("NOERROR", "-1"), await Map(secondaryA, handleA, PatternA));
        Assert.Equal(("NOERROR", "-1"), await Map(secondaryB, handleB, PatternB));

        // ... and not in the other set's, in another process or in this one.
        Assert.Equal(("VD_E_INVALID", "0"), await Map(secondaryB, handleA, PatternA));
        Assert.Equal(("VD_E_INVALID", "0"), await Map(secondaryA, handleB, PatternB));
        Assert.Equal(VD_E_INVALID, clientB.MapBufferHandle(handleA, out nint none));
        Assert.Equal(0, none);
        Assert.Equal(VD_E_INVALID, clientA.MapBufferHandle(handleB, out _));

        foreach (var secondary in new[] { secondaryA, secondaryB })
        {
            secondary.Send("close");
            Assert.Equal("closed NOERROR", await secondary.WaitForLineAsync("closed"));
            Assert.Equal(0, await secondary.WaitForExitAsync());
        }

        // Both sets end normally: the Writes complete, the server closes the devices and its sets.
        Assert.Equal(NOERROR, writeA.Device.CompleteCommand(writeA.Command, Win32Error.ERROR_SUCCESS, writeA.Command.Size, 0));
        Assert.Equal(NOERROR, writeB.Device.CompleteCommand(writeB.Command, Win32Error.ERROR_SUCCESS, writeB.Command.Size, 0));
        foreach (var write in new[] { writeA, writeB })
        {
            var end = await Waits.OnOwnThread(() => write.Device.GetCommand(30000, out _)).Within("GetCommand waiting for the server to close the device", 35000);
            Assert.True(end == VD_E_CLOSE, $"GetCommand answered {end}, not VD_E_CLOSE, after the server process was to close the device.");
        }

        Assert.Equal($"completed {nameA} 0 65536", await server.WaitForLineAsync("completed "));
        Assert.Equal($"completed {nameB} 0 65536", await server.WaitForLineAsync("completed "));
        await server.WaitForLineAsync("done");
        Assert.Equal(0, await server.WaitForExitAsync());
        Assert.Equal(NOERROR, clientA.Close());
        Assert.Equal(NOERROR, clientB.Close());
        Assert.Empty(SetNames.SegmentsOf(nameA));
        Assert.Empty(SetNames.SegmentsOf(nameB));
    }

    private sealed record Fetched(IClientVirtualDevice Device, VdcCommand Command)
    {
        public nint Buffer => Command.Buffer;
    }

    /// <summary>Waits for the set's configuration, opens its device and fetches the server's Write, checking its bytes.</summary>
    private static async Task<Fetched> FetchWrite(ClientVirtualDeviceSet client, string name, int pattern)
    {
        Assert.Equal(NOERROR, await Waits.OnOwnThread(() => client.GetConfiguration(30000, out _)).Within($"GetConfiguration of {name}", 35000));
        Assert.Equal(NOERROR, client.OpenDevice(name, out var device));
        var (result, command) = await Waits.OnOwnThread(() => (device!.GetCommand(30000, out var c), c)).Within($"GetCommand of {name}", 35000);
        Assert.Equal(NOERROR, result);
        Assert.Equal(VdCommandCode.VDC_Write, command!.CommandCode);
        Assert.Equal(65536u, command.Size);
        Assert.Equal(-1, TestPattern.FirstMismatch(pattern, 0, command.Data));
        return new Fetched(device!, command);
    }

    /// <summary>Has a mapper peer map <paramref name="handle"/>; returns its result and the first byte that differs from the pattern (-1: none), or the address (0) it got on failure.</summary>
    private static async Task<(string Result, string Detail)> Map(PeerProcess mapper, uint handle, int pattern)
    {
        mapper.Send($"map {handle:X8} {pattern} 65536");
        string[] said = (await mapper.WaitForLineAsync("mapped ")).Split(' ');
        return said[1] == "NOERROR" ? (said[1], said[3]) : (said[1], said[2]);
    }
}
