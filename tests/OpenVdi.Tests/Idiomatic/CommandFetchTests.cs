using OpenVdi.Tests.Infrastructure;

namespace OpenVdi.Tests.Idiomatic;

public class CommandFetchTests
{
    [Fact(Timeout = 20000)]
    public async Task A_queued_command_is_returned_synchronously()
    {
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices);
        var completed = new List<VdsCommand>();
        loopback.Send(0, VdCommandCode.VDC_Flush, completed: completed);

        var pending = devices[0].GetCommandAsync();

        Assert.True(pending.IsCompletedSuccessfully, "A queued command must not need a wait.");
        var command = Assert.NotNull(await pending);
        Assert.Equal(VdCommandCode.VDC_Flush, command.Code);
        command.Complete();
        Loopback.WaitForCompletions(completed, 1);
        Assert.Equal(Win32Error.ERROR_SUCCESS, completed[0].CompletionCode);
        loopback.ServerDevices[0]!.CloseDevice();
        Assert.Null(await devices[0].GetCommandAsync().Within());
    }

    [Fact(Timeout = 20000)]
    public async Task The_synchronous_path_allocates_nothing_per_command()
    {
        const int Commands = 8;
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices, buffers: Commands);
        var device = devices[0];
        var completed = new List<VdsCommand>();

        // Warm up every path once (JIT, lazy statics), then measure a second round.
        for (int round = 0; round < 2; round++)
        {
            var sends = Enumerable.Range(0, Commands)
                .Select(_ => loopback.Send(0, VdCommandCode.VDC_Write, 65536, loopback.Allocate(), completed))
                .ToArray();
            long allocated = FetchAndCompleteSynchronously(device, Commands, out int synchronous, out int sum);
            Assert.Equal(Commands, synchronous);
            Assert.Equal(Commands * 65536, sum);
            if (round == 1)
            {
                Assert.Equal(0, allocated);
            }

            Loopback.WaitForCompletions(completed, (round + 1) * Commands);
            foreach (var send in sends)
            {
                Loopback.Expect(loopback.Server.FreeBuffer(send.Buffer, 65536));
            }
        }
    }

    /// <summary>Fetches and completes <paramref name="count"/> queued commands; returns the bytes this thread allocated meanwhile.</summary>
    private static long FetchAndCompleteSynchronously(VirtualDevice device, int count, out int synchronous, out int sum)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        synchronous = 0;
        sum = 0;
        for (int i = 0; i < count; i++)
        {
            var pending = device.GetCommandAsync();
            if (pending.IsCompletedSuccessfully && pending.Result is { } command)
            {
                synchronous++;
                sum += command.Data[0] + command.Memory.Length;
                command.Complete();
            }
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact(Timeout = 20000)]
    public async Task With_nothing_queued_the_call_waits_until_the_server_sends()
    {
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices);

        var pending = devices[0].GetCommandAsync();
        Assert.False(pending.IsCompleted, "Nothing was sent: the call must wait.");

        loopback.Send(0, VdCommandCode.VDC_Flush);
        var command = Assert.NotNull(await pending.Within());
        Assert.Equal(VdCommandCode.VDC_Flush, command.Code);
        command.Complete();

        // The waiter thread hands the device back: the next wait works the same way.
        var next = devices[0].GetCommandAsync();
        loopback.ServerDevices[0]!.CloseDevice();
        Assert.Null(await next.Within());
        Assert.True(devices[0].HasEnded);
    }

    [Fact(Timeout = 20000)]
    public async Task The_end_of_the_device_is_null_and_stays_null()
    {
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices);
        loopback.ServerDevices[0]!.CloseDevice();

        Assert.Null(await devices[0].GetCommandAsync().Within());
        var again = devices[0].GetCommandAsync();
        Assert.True(again.IsCompletedSuccessfully);
        Assert.Null(await again);
        Assert.False(devices[0].TryGetCommand(TimeSpan.Zero, out _));
        Assert.True(devices[0].HasEnded);
    }

    [Fact(Timeout = 20000)]
    public async Task TryGetCommand_tells_a_timeout_from_the_end()
    {
        await Task.Yield();
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices);
        var device = devices[0];

        Assert.False(device.TryGetCommand(TimeSpan.FromMilliseconds(20), out _));
        Assert.False(device.HasEnded);

        loopback.Send(0, VdCommandCode.VDC_Flush);
        Assert.True(device.TryGetCommand(TimeSpan.FromSeconds(5), out var command));
        Assert.Equal(VdCommandCode.VDC_Flush, command.Code);
        command.Complete();

        loopback.ServerDevices[0]!.CloseDevice();
        Assert.False(device.TryGetCommand(Timeout.InfiniteTimeSpan, out _));
        Assert.True(device.HasEnded);
        Assert.Throws<ArgumentOutOfRangeException>(() => device.TryGetCommand(TimeSpan.FromMilliseconds(-2), out _));
    }

    [Fact(Timeout = 20000)]
    public async Task ReadCommandsAsync_yields_every_command_in_order_until_the_end()
    {
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices);
        var codes = new[] { VdCommandCode.VDC_Flush, VdCommandCode.VDC_ClearError, VdCommandCode.VDC_Flush };
        foreach (var code in codes)
        {
            loopback.Send(0, code);
        }

        loopback.ServerDevices[0]!.CloseDevice();
        var seen = new List<VdCommandCode>();
        await foreach (var command in devices[0].ReadCommandsAsync())
        {
            seen.Add(command.Code);
            command.Complete();
        }

        Assert.Equal(codes, seen);
    }

    [Fact(Timeout = 20000)]
    public async Task A_second_fetch_while_one_waits_is_refused_and_the_first_is_unharmed()
    {
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices);
        var device = devices[0];

        var first = device.GetCommandAsync();
        Assert.False(first.IsCompleted);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await device.GetCommandAsync());
        Assert.Throws<InvalidOperationException>(() => device.TryGetCommand(TimeSpan.Zero, out _));

        loopback.Send(0, VdCommandCode.VDC_Flush);
        var command = Assert.NotNull(await first.Within());
        command.Complete();

        // Taking the result released the device.
        Assert.False(device.TryGetCommand(TimeSpan.Zero, out _));
    }

    [Fact(Timeout = 20000)]
    public async Task Commands_are_delivered_across_many_waits_without_loss_or_reordering()
    {
        const int Count = 300;
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices);
        var script = new ServerScript(loopback);
        var server = Task.Factory.StartNew(
            () =>
            {
                for (int i = 0; i < Count; i++)
                {
                    // Wait for each completion before the next send, so the client's fetches often find nothing queued.
                    script.Send(VdCommandCode.VDC_SkipBlocks, (uint)i);
                    script.WaitIdle();
                }

                script.CloseDevice();
            },
            TaskCreationOptions.LongRunning);

        var sizes = new List<uint>();
        while (await devices[0].GetCommandAsync().Within() is { } command)
        {
            sizes.Add(command.Size);
            command.Complete();
        }

        await server.Within();
        Assert.Equal(Enumerable.Range(0, Count).Select(i => (uint)i), sizes);
    }
}
