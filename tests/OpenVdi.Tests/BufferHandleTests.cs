using System.Runtime.InteropServices;
using OpenVdi.Tests.Infrastructure;
using static OpenVdi.VdiResult;

namespace OpenVdi.Tests;

/// <summary>
/// GetBufferHandle and MapBufferHandle (spec §3.10, §10.3; the return-code tables of the two seed pages), in one
/// process: a second client set attached with OpenInSecondaryEx has its own mapping, as a partner process would.
/// </summary>
public class BufferHandleTests
{
    [Theory(Timeout = 20000)]
    [InlineData(VdCommandCode.VDC_Write)]
    [InlineData(VdCommandCode.VDC_Read)]
    public async Task GetBufferHandle_of_a_delivered_data_buffer_is_NOERROR_and_maps_to_the_same_bytes_elsewhere(VdCommandCode code)
    {
        await Task.Yield();
        using var loop = new Loopback().Active();
        using var partner = Partner(loop);
        var log = new CompletionLog();
        nint serverAddress = loop.Allocate();
        loop.Server.GetBufferSpan(serverAddress, 65536).Fill(0x3C);
        var sent = log.Command(code, 65536, serverAddress);
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(sent));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var command));

        Assert.Equal(NOERROR, loop.Client.GetBufferHandle(command!.Buffer, out uint handle));

        // The primary maps it to its own address; the partner to another address showing the same bytes.
        Assert.Equal(NOERROR, loop.Client.MapBufferHandle(handle, out nint own));
        Assert.Equal(command.Buffer, own);
        Assert.Equal(NOERROR, partner.MapBufferHandle(handle, out nint mapped));
        Assert.NotEqual(0, mapped);
        Assert.NotEqual(command.Buffer, mapped);
        Assert.NotEqual(serverAddress, mapped);
        var seen = new byte[65536];
        Marshal.Copy(mapped, seen, 0, seen.Length);
        Assert.True(seen.AsSpan().IndexOfAnyExcept((byte)0x3C) < 0, "The partner's address does not show the buffer's bytes.");

        // And the other way: what the partner writes there is what the server gets.
        Marshal.Copy(Enumerable.Repeat((byte)0xC3, 1000).ToArray(), 0, mapped, 1000);
        Assert.True(command.Data[..1000].IndexOfAnyExcept((byte)0xC3) < 0, "The primary does not see what the partner wrote.");

        // The handle is process independent: the partner's own address gives the same handle.
        Assert.Equal(NOERROR, partner.GetBufferHandle(mapped, out uint partnerHandle));
        Assert.Equal(handle, partnerHandle);

        Assert.Equal(NOERROR, loop.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 65536, 0));
        log.WaitFor(sent);
        Assert.True(loop.Server.GetBufferSpan(serverAddress, 1000).IndexOfAnyExcept((byte)0xC3) < 0, "The server does not see what the partner wrote.");
    }

    [Fact(Timeout = 20000)]
    public async Task GetBufferHandle_and_MapBufferHandle_on_an_object_with_no_set_are_VD_E_PROTOCOL()
    {
        await Task.Yield();
        using var fresh = new ClientVirtualDeviceSet();
        Assert.Equal(VD_E_PROTOCOL, fresh.GetBufferHandle(0, out _));
        Assert.Equal(VD_E_PROTOCOL, fresh.MapBufferHandle(0, out nint none));
        Assert.Equal(0, none);

        // After Close: an address and a handle that were valid a moment ago.
        using var loop = new Loopback().Active();
        var log = new CompletionLog();
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(log.Command(VdCommandCode.VDC_Write, 65536, loop.Allocate())));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var command));
        nint address = command!.Buffer;
        Assert.Equal(NOERROR, loop.Client.GetBufferHandle(address, out uint handle));
        Assert.Equal(VD_E_OPEN, loop.Client.Close());
        Assert.Equal(VD_E_PROTOCOL, loop.Client.GetBufferHandle(address, out uint noHandle));
        Assert.Equal(0u, noHandle);
        Assert.Equal(VD_E_PROTOCOL, loop.Client.MapBufferHandle(handle, out nint noAddress));
        Assert.Equal(0, noAddress);

        // A secondary after its Close as well.
        using var other = new Loopback().Active();
        using var partner = Partner(other);
        Assert.Equal(NOERROR, partner.Close());
        Assert.Equal(VD_E_PROTOCOL, partner.GetBufferHandle(address, out _));
        Assert.Equal(VD_E_PROTOCOL, partner.MapBufferHandle(handle, out _));
    }

    /// <summary>The stages of a set created and not yet configured, as its primary sees them (GetConfiguration has not returned).</summary>
    private static readonly string[] s_notYetConfigured = ["created, no server yet", "connected", "configuring", "configured by the server, before GetConfiguration returned"];

    [Theory(Timeout = 20000)]
    [InlineData("created, no server yet")]
    [InlineData("connected")]
    [InlineData("configuring")]
    [InlineData("configured by the server, before GetConfiguration returned")]
    public async Task GetBufferHandle_and_MapBufferHandle_on_a_set_not_yet_configured_are_VD_E_PROTOCOL(string stage)
    {
        await Task.Yield();

        // An address and a handle that are live in another set, so that only the state can refuse them.
        using var other = new Loopback().Active();
        var log = new CompletionLog();
        Assert.Equal(NOERROR, other.ServerDevices[0]!.SendCommand(log.Command(VdCommandCode.VDC_Write, 65536, other.Allocate())));
        Assert.Equal(NOERROR, other.ClientDevices[0]!.GetCommand(Waits.Prompt, out var command));
        Assert.Equal(NOERROR, other.Client.GetBufferHandle(command!.Buffer, out uint liveHandle));

        using var loop = new Loopback();
        Loopback.Expect(loop.Client.CreateEx(null, loop.Name, loop.Config));
        int reached = 0;
        void AdvanceTo(int target)
        {
            while (reached < target)
            {
                switch (++reached)
                {
                    case 1:
                        Loopback.Expect(loop.Server.Open(null, loop.Name));
                        break;
                    case 2:
                        Loopback.Expect(loop.Server.BeginConfiguration(VdFeatures.VDF_WriteMedia, 512, 0, 65536, 0));
                        Loopback.Expect(loop.Server.RequestBuffers(65536, 0, 2));
                        break;
                    default:
                        Loopback.Expect(loop.Server.EndConfiguration());
                        break;
                }
            }
        }

        AdvanceTo(Array.IndexOf(s_notYetConfigured, stage));

        foreach (nint address in new[] { command.Buffer, 0 })
        {
            Assert.Equal(VD_E_PROTOCOL, loop.Client.GetBufferHandle(address, out uint handle));
            Assert.Equal(0u, handle);
        }

        foreach (uint handle in new[] { liveHandle, 0u })
        {
            Assert.Equal(VD_E_PROTOCOL, loop.Client.MapBufferHandle(handle, out nint address));
            Assert.Equal(0, address);
        }

        // Once GetConfiguration has returned, the same calls are judged on their arguments: not this set's.
        AdvanceTo(s_notYetConfigured.Length - 1);
        Loopback.Expect(loop.Client.GetConfiguration(Waits.Prompt, out _));
        Assert.Equal(VD_E_INVALID, loop.Client.GetBufferHandle(command.Buffer, out _));
        Assert.Equal(VD_E_INVALID, loop.Client.MapBufferHandle(liveHandle, out _));
    }

    public static TheoryData<string> NotABufferOfADeliveredDataCommand => new()
    {
        "null",
        "native memory",
        "the server's address of the buffer",
        "one byte into the data",
        "512 bytes into the data",
        "the last byte of the prefix zone",
        "the start of the prefix zone",
        "a buffer carried by a non-data command",
        "an allocated buffer not sent",
        "the buffer after its command completed",
    };

    [Theory(Timeout = 20000)]
    [MemberData(nameof(NotABufferOfADeliveredDataCommand))]
    public async Task GetBufferHandle_of_anything_but_a_delivered_data_buffer_is_VD_E_INVALID(string what)
    {
        await Task.Yield();
        using var loop = new Loopback(prefixZoneSize: 64).Active();
        var log = new CompletionLog();
        nint b = loop.Allocate();
        nint a = loop.Allocate();
        var write = log.Command(VdCommandCode.VDC_Write, 65536, b);
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(write));
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(log.Command(VdCommandCode.VDC_Flush, 0, a)));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var delivered));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var flush));
        Assert.Equal(0, flush!.Buffer);

        // Both buffers are in one segment, mapped at a different base here: the client's address of a is b's plus the offset.
        nint clientB = delivered!.Buffer;
        nint clientA = clientB + (a - b);
        nint native = Marshal.AllocHGlobal(64);
        try
        {
            nint address = what switch
            {
                "null" => 0,
                "native memory" => native,
                "the server's address of the buffer" => b,
                "one byte into the data" => clientB + 1,
                "512 bytes into the data" => clientB + 512,
                "the last byte of the prefix zone" => clientB - 1,
                "the start of the prefix zone" => clientB - 64,
                "a buffer carried by a non-data command" or "an allocated buffer not sent" => clientA,
                "the buffer after its command completed" => clientB,
                _ => throw new ArgumentOutOfRangeException(nameof(what)),
            };
            if (what == "the buffer after its command completed")
            {
                Assert.Equal(NOERROR, loop.ClientDevices[0]!.CompleteCommand(delivered, Win32Error.ERROR_SUCCESS, 65536, 0));
                log.WaitFor(write);
            }
            else if (what == "an allocated buffer not sent")
            {
                Assert.Equal(NOERROR, loop.ClientDevices[0]!.CompleteCommand(flush, Win32Error.ERROR_SUCCESS, 0, 0));
            }

            var result = loop.Client.GetBufferHandle(address, out uint handle);
            Assert.True(result == VD_E_INVALID, $"GetBufferHandle of {what}: expected VD_E_INVALID, got {result} (handle 0x{handle:X8}).");
            Assert.Equal(0u, handle);

            // The delivered buffer itself still has a handle, unless its command completed.
            if (what != "the buffer after its command completed")
            {
                Assert.Equal(NOERROR, loop.Client.GetBufferHandle(clientB, out _));
            }
        }
        finally
        {
            Marshal.FreeHGlobal(native);
        }
    }

    [Fact(Timeout = 20000)]
    public async Task MapBufferHandle_of_a_handle_that_was_never_issued_is_VD_E_INVALID()
    {
        await Task.Yield();
        using var loop = new Loopback().Active(buffers: 4);
        using var partner = Partner(loop);
        var log = new CompletionLog();
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(log.Command(VdCommandCode.VDC_Write, 65536, loop.Allocate())));
        }

        var handles = new HashSet<uint>();
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var command));
            Assert.Equal(NOERROR, loop.Client.GetBufferHandle(command!.Buffer, out uint handle));
            handles.Add(handle);
        }

        Assert.Equal(3, handles.Count);
        uint sample = handles.First();
        var candidates = new List<uint> { 0, uint.MaxValue, sample ^ 1, sample ^ 0x0001_0000, sample ^ 0x8000_0000, sample + 0x10000, sample - 1 };
        var random = new Random(20240607);
        for (int i = 0; i < 2000; i++)
        {
            candidates.Add((uint)random.NextInt64(0, 1L << 32));
        }

        foreach (uint candidate in candidates.Where(c => !handles.Contains(c)))
        {
            Assert.True(loop.Client.MapBufferHandle(candidate, out nint address) == VD_E_INVALID, $"MapBufferHandle(0x{candidate:X8}) was accepted by the primary.");
            Assert.Equal(0, address);
            Assert.True(partner.MapBufferHandle(candidate, out _) == VD_E_INVALID, $"MapBufferHandle(0x{candidate:X8}) was accepted by the partner.");
        }

        Assert.All(handles, h => Assert.Equal(NOERROR, partner.MapBufferHandle(h, out _)));
    }

    [Fact(Timeout = 20000)]
    public async Task A_handle_dies_when_its_command_completes_even_if_the_buffer_is_sent_again()
    {
        await Task.Yield();
        using var loop = new Loopback().Active(buffers: 1);
        using var partner = Partner(loop);
        var log = new CompletionLog();
        nint buffer = loop.Allocate();
        var first = log.Command(VdCommandCode.VDC_Write, 65536, buffer);
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(first));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var command));
        Assert.Equal(NOERROR, loop.Client.GetBufferHandle(command!.Buffer, out uint old));
        nint oldAddress = command.Buffer;
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 65536, 0));
        log.WaitFor(first);

        Assert.Equal(VD_E_INVALID, loop.Client.MapBufferHandle(old, out _));
        Assert.Equal(VD_E_INVALID, partner.MapBufferHandle(old, out _));

        // The same buffer in a new command: a new handle, and the old one stays dead.
        var second = log.Command(VdCommandCode.VDC_Read, 65536, buffer);
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(second));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var again));
        Assert.Equal(oldAddress, again!.Buffer);
        Assert.Equal(NOERROR, loop.Client.GetBufferHandle(again.Buffer, out uint fresh));
        Assert.NotEqual(old, fresh);
        Assert.Equal(VD_E_INVALID, loop.Client.MapBufferHandle(old, out _));
        Assert.Equal(VD_E_INVALID, partner.MapBufferHandle(old, out _));
        Assert.Equal(NOERROR, partner.MapBufferHandle(fresh, out _));
    }

    [Fact(Timeout = 20000)]
    public async Task A_handle_whose_buffer_was_freed_is_VD_E_INVALID_even_after_the_buffer_is_reallocated_and_sent()
    {
        await Task.Yield();
        using var loop = new Loopback().Active(buffers: 1);
        using var partner = Partner(loop);
        var log = new CompletionLog();
        nint buffer = loop.Allocate();
        var first = log.Command(VdCommandCode.VDC_Write, 65536, buffer);
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(first));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var command));
        Assert.Equal(NOERROR, loop.Client.GetBufferHandle(command!.Buffer, out uint old));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 65536, 0));
        log.WaitFor(first);
        Loopback.Expect(loop.Server.FreeBuffer(buffer, 65536));
        Assert.Equal(VD_E_INVALID, partner.MapBufferHandle(old, out _));

        // The set's only buffer comes back from AllocateBuffer and goes out again.
        nint reallocated = loop.Allocate();
        Assert.Equal(buffer, reallocated);
        var second = log.Command(VdCommandCode.VDC_Write, 65536, reallocated);
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(second));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var again));
        Assert.Equal(VD_E_INVALID, loop.Client.MapBufferHandle(old, out _));
        Assert.Equal(VD_E_INVALID, partner.MapBufferHandle(old, out _));
        Assert.Equal(NOERROR, loop.Client.GetBufferHandle(again!.Buffer, out uint fresh));
        Assert.NotEqual(old, fresh);
    }

    [Fact(Timeout = 20000)]
    public async Task Handles_do_not_cross_sets()
    {
        await Task.Yield();
        using var one = new Loopback().Active(buffers: 1);
        using var two = new Loopback().Active(buffers: 1);
        using var partnerOfOne = Partner(one);
        var log = new CompletionLog();
        uint HandleOfADeliveredWrite(Loopback loop)
        {
            Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(log.Command(VdCommandCode.VDC_Write, 65536, loop.Allocate())));
            Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var command));
            Assert.Equal(NOERROR, loop.Client.GetBufferHandle(command!.Buffer, out uint handle));
            return handle;
        }

        // Same buffer index, both in flight: only the set's own handle maps.
        uint handleOne = HandleOfADeliveredWrite(one);
        uint handleTwo = HandleOfADeliveredWrite(two);
        Assert.NotEqual(handleOne, handleTwo);
        Assert.Equal(VD_E_INVALID, one.Client.MapBufferHandle(handleTwo, out _));
        Assert.Equal(VD_E_INVALID, partnerOfOne.MapBufferHandle(handleTwo, out _));
        Assert.Equal(VD_E_INVALID, two.Client.MapBufferHandle(handleOne, out _));
        Assert.Equal(NOERROR, partnerOfOne.MapBufferHandle(handleOne, out _));
        Assert.Equal(NOERROR, two.Client.MapBufferHandle(handleTwo, out _));
    }

    [Fact(Timeout = 20000)]
    public async Task A_handle_maps_to_the_buffer_of_a_command_fetched_on_another_device_of_the_set()
    {
        await Task.Yield();
        using var loop = new Loopback(deviceCount: 2).Active();
        using var partner = Partner(loop);
        var log = new CompletionLog();
        nint buffer = loop.Allocate();
        loop.Server.GetBufferSpan(buffer, 65536).Fill(0x77);
        Assert.Equal(NOERROR, loop.ServerDevices[1]!.SendCommand(log.Command(VdCommandCode.VDC_Write, 65536, buffer)));
        Assert.Equal(NOERROR, loop.ClientDevices[1]!.GetCommand(Waits.Prompt, out var command));
        Assert.Equal(NOERROR, loop.Client.GetBufferHandle(command!.Buffer, out uint handle));
        Assert.Equal(NOERROR, partner.MapBufferHandle(handle, out nint mapped));
        Assert.Equal(0x77, Marshal.ReadByte(mapped, 65535));
    }

    /// <summary>A second client set attached to the loop's set, with its own mappings, as a partner process would be.</summary>
    private static ClientVirtualDeviceSet Partner(Loopback loop)
    {
        var partner = new ClientVirtualDeviceSet();
        Assert.Equal(NOERROR, partner.OpenInSecondaryEx(null, loop.Name));
        Assert.False(partner.IsPrimary);
        return partner;
    }
}
