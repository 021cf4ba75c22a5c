using System.Globalization;
using OpenVdi.SqlServer.TestPeer;
using OpenVdi.SqlServer.Tests.Infrastructure;
using static OpenVdi.VdiResult;

namespace OpenVdi.SqlServer.Tests.Contract;

/// <summary>
/// A command's <see cref="VdcCommand.Data"/> is the shared buffer itself, for every implementation: the bytes the
/// server put there, at the address the library gave, in a shared-memory mapping; what the client writes is in the
/// server's buffer before the command is even completed.
/// </summary>
[Collection(BindingCollection.Name)]
public sealed class ZeroCopyTests(BindingFixture fixture)
{
    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task A_Write_shows_the_servers_bytes_in_place(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation).Active();
        nint buffer = set.Allocate();
        Random.Shared.NextBytes(set.Server.GetBufferSpan(buffer, 65536));
        var write = set.Send(0, VdCommandCode.VDC_Write, 65536, buffer);
        var command = set.Fetch();

        Assert.Equal(VdCommandCode.VDC_Write, command.CommandCode);
        Assert.Equal(65536u, command.Size);
        Assert.True(command.Data.SequenceEqual(set.Server.GetBufferSpan(buffer, 65536)), "The Write's data is not the server's bytes.");
        Assert.Equal(command.Buffer, AddressOf(command.Data));
        Assert.Equal(command.Buffer, PinnedAddressOf(command.Memory));

        Assert.Equal(65536, command.Memory.Length);
        Assert.True(IsInSharedMemory(command.Buffer), $"The buffer at 0x{command.Buffer:X} is not in a /dev/shm mapping of this process.");
        Assert.Equal(NOERROR, set.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 65536, 0));
        Assert.Equal(65536u, set.Log.WaitFor(write).Bytes);
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task What_the_client_writes_for_a_Read_is_in_the_servers_buffer_before_the_completion(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation).Active(serverFeatures: VdFeatures.VDF_ReadMedia);
        nint buffer = set.Allocate();
        set.Server.GetBufferSpan(buffer, 65536).Clear();
        var read = set.Send(0, VdCommandCode.VDC_Read, 32768, buffer);
        var command = set.Fetch();
        Random.Shared.NextBytes(command.Data);

        // No copy waits for CompleteCommand: the server's view of the buffer already holds the bytes.
        Assert.True(command.Data.SequenceEqual(set.Server.GetBufferSpan(buffer, 32768)), "The bytes written are not in the server's buffer.");
        var written = command.Data.ToArray();
        command.Memory.Span[0] ^= 0xFF;
        Assert.Equal((byte)(written[0] ^ 0xFF), set.Server.GetBufferSpan(buffer, 1)[0]);

        Assert.Equal(NOERROR, set.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 32768, 0));
        Assert.Equal(32768u, set.Log.WaitFor(read).Bytes);
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task The_prefix_zone_is_the_bytes_just_before_the_data(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation, prefixZoneSize: 512).Active();
        set.Send(0, VdCommandCode.VDC_Write, 4096, set.Allocate());
        set.Send(0, VdCommandCode.VDC_Flush);
        var write = set.Fetch();
        var flush = set.Fetch();

        Assert.Equal(512, write.PrefixZone.Length);
        Assert.Equal(write.Buffer - 512, AddressOf(write.PrefixZone));

        write.PrefixZone.Fill(0x5A);
        Assert.True(write.Data.Length == 4096, "Writing the prefix zone changed the data's length.");
        Assert.Equal(0, flush.PrefixZone.Length);
        Assert.Equal(0, flush.Data.Length);
        Assert.Equal(0, flush.Buffer);
        Assert.Equal(NOERROR, set.ClientDevices[0]!.CompleteCommand(write, Win32Error.ERROR_SUCCESS, 4096, 0));
        Assert.Equal(NOERROR, set.ClientDevices[0]!.CompleteCommand(flush, Win32Error.ERROR_SUCCESS, 0, 0));
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Implementations.All), MemberType = typeof(Implementations))]
    public async Task A_secondary_has_the_prefix_zone_from_its_first_command(ClientImplementation implementation)
    {
        await Task.Yield();
        using var set = new SetUnderTest(fixture, implementation, deviceCount: 2, prefixZoneSize: 256).ServerActive();
        using var secondary = fixture.Create(implementation);
        Assert.Equal(NOERROR, secondary.OpenInSecondaryEx(null, set.Name));
        Assert.Equal(NOERROR, secondary.OpenDevice(set.DeviceNames[1], out var device));
        set.Send(1, VdCommandCode.VDC_Write, 4096, set.Allocate());
        Assert.Equal(NOERROR, device!.GetCommand(Waits.Prompt, out var write));
        Assert.Equal(256, write!.PrefixZone.Length);
        Assert.Equal(write.Buffer - 256, AddressOf(write.PrefixZone));
        Assert.Equal(NOERROR, device.CompleteCommand(write, Win32Error.ERROR_SUCCESS, 4096, 0));
    }

    private static unsafe nint AddressOf(ReadOnlySpan<byte> bytes)
    {
        fixed (byte* first = bytes)
        {
            return (nint)first;
        }
    }

    private static unsafe nint PinnedAddressOf(Memory<byte> memory)
    {
        using var pin = memory.Pin();
        return (nint)pin.Pointer;
    }

    /// <summary>Whether <paramref name="address"/> lies in a mapping of a file under /dev/shm (/proc/self/maps).</summary>
    private static bool IsInSharedMemory(nint address)
    {
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || !fields[5].StartsWith("/dev/shm/", StringComparison.Ordinal))
            {
                continue;
            }

            string[] range = fields[0].Split('-');
            ulong start = ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong end = ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if ((ulong)address >= start && (ulong)address < end && fields[1].Contains('s', StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
