using OpenVdi.Tests.Infrastructure;
using static OpenVdi.VdiResult;

namespace OpenVdi.Tests;

/// <summary>
/// Commands on a device (spec §3.5, §3.6, §4.3): several outstanding and delivered in order, completed in any order,
/// checked completions, a full queue, and VD_E_CLOSE after everything sent before the close.
/// </summary>
public class CommandFlowTests
{
    [Fact(Timeout = 30000)]
    public async Task A_primary_that_closes_once_the_set_ended_does_not_turn_the_agent_s_end_into_an_abort()
    {
        // Found by vdi bench's drop-in row: a client that closes as soon as its devices end made the agent, when its
        // audit came first, report the primary gone and abort a set that had already ended normally.
        await Task.Yield();
        using var set = new Loopback().Initialized();
        Loopback.Expect(set.Server.OpenDevice(set.Name, out set.ServerDevices[0]));
        Loopback.Expect(set.Client.OpenDevice(set.Name, out set.ClientDevices[0]));
        var completed = new List<VdsCommand>();
        set.Send(0, VdCommandCode.VDC_Flush, completed: completed);
        Loopback.Expect(set.ClientDevices[0]!.GetCommand(5000, out var flush));
        Loopback.Expect(set.ClientDevices[0]!.CompleteCommand(flush!, Win32Error.ERROR_SUCCESS, 0, 0));
        Loopback.Expect(set.ServerDevices[0]!.CloseDevice());
        Assert.Equal(VD_E_CLOSE, set.ClientDevices[0]!.GetCommand(5000, out _));
        Loopback.Expect(set.Client.Close());

        // The agent starts only now: its first audit finds the primary gone, with nothing left to do.
        set.StartAgent();

        var result = set.AgentResult();
        Assert.True(result == NOERROR, $"The agent answered {result} ({set.Server.AbortReasonText}).");
        Assert.Equal(Win32Error.ERROR_SUCCESS, Assert.Single(completed).CompletionCode);
    }

    [Fact(Timeout = 20000)]
    public async Task Several_commands_outstanding_on_a_device_are_delivered_in_the_order_sent()
    {
        await Task.Yield();
        const int Count = 6;
        using var loop = new Loopback().Active(buffers: Count);
        var log = new CompletionLog();
        var sent = new VdsCommand[Count];
        for (int i = 0; i < Count; i++)
        {
            nint buffer = loop.Allocate();
            uint size = 512u * (uint)(i + 1);
            loop.Server.GetBufferSpan(buffer, (int)size).Fill((byte)(0x10 + i));
            sent[i] = log.Command(VdCommandCode.VDC_Write, size, buffer, position: 1000ul * (ulong)i);
            Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(sent[i]));
        }

        // All fetched before any is completed: every one is outstanding at once, in order, with its own buffer.
        var fetched = new VdcCommand[Count];
        for (int i = 0; i < Count; i++)
        {
            Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var command));
            fetched[i] = command!;
            Assert.Equal(VdCommandCode.VDC_Write, command!.CommandCode);
            Assert.Equal(512u * (uint)(i + 1), command.Size);
            Assert.Equal(1000ul * (ulong)i, command.Position);
            Assert.True(command.Data.IndexOfAnyExcept((byte)(0x10 + i)) < 0, $"Command {i} does not carry the data sent with it.");
        }

        Assert.Equal(VD_E_TIMEOUT, loop.ClientDevices[0]!.GetCommand(0, out _));
        Assert.Equal(Count, fetched.Select(c => c.Buffer).Distinct().Count());
        Assert.All(fetched, c => Assert.True(c.IsOutstanding));
        Assert.Equal(0, log.Count);

        for (int i = 0; i < Count; i++)
        {
            Assert.Equal(NOERROR, loop.ClientDevices[0]!.CompleteCommand(fetched[i], Win32Error.ERROR_SUCCESS, fetched[i].Size, 0));
        }

        var runs = log.WaitFor(Count);
        Assert.Equal(sent, runs.Select(r => r.Command));
        Assert.All(runs, r => Assert.Equal(r.Command.Size, r.Bytes));
    }

    [Fact(Timeout = 20000)]
    public async Task Each_device_delivers_its_own_commands_in_its_own_order()
    {
        await Task.Yield();
        using var loop = new Loopback(deviceCount: 3).Active();
        var log = new CompletionLog();
        for (ulong n = 0; n < 5; n++)
        {
            for (int d = 2; d >= 0; d--)
            {
                Assert.Equal(NOERROR, loop.ServerDevices[d]!.SendCommand(log.Command(VdCommandCode.VDC_SetPosition, (uint)d, position: (n * 10) + (ulong)d)));
            }
        }

        for (int d = 0; d < 3; d++)
        {
            for (ulong n = 0; n < 5; n++)
            {
                Assert.Equal(NOERROR, loop.ClientDevices[d]!.GetCommand(Waits.Prompt, out var command));
                Assert.Equal((n * 10) + (ulong)d, command!.Position);
                Assert.Equal(NOERROR, loop.ClientDevices[d]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 0, command.Position + 1));
            }

            Assert.Equal(VD_E_TIMEOUT, loop.ClientDevices[d]!.GetCommand(0, out _));
        }

        Assert.All(log.WaitFor(15), r => Assert.Equal(r.Command.InPosition + 1, r.Position));
    }

    [Fact(Timeout = 20000)]
    public async Task Commands_completed_out_of_order_each_report_their_own_results_without_waiting_for_older_ones()
    {
        await Task.Yield();
        using var loop = new Loopback().Active(serverFeatures: VdFeatures.VDF_ReadMedia);
        var log = new CompletionLog();
        var sent = new VdsCommand[3];
        var buffers = new nint[3];
        for (int i = 0; i < 3; i++)
        {
            buffers[i] = loop.Allocate();
            sent[i] = log.Command(VdCommandCode.VDC_Read, 65536, buffers[i]);
            Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(sent[i]));
        }

        var fetched = new VdcCommand[3];
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var command));
            fetched[i] = command!;
            command!.Data[..(1000 * (i + 1))].Fill((byte)(0xA0 + i));
        }

        // Newest first: its routine runs while the older two are still with the client.
        foreach (int i in new[] { 2, 0, 1 })
        {
            Assert.Equal(NOERROR, loop.ClientDevices[0]!.CompleteCommand(fetched[i], Win32Error.ERROR_SUCCESS, (uint)(1000 * (i + 1)), 0));
            var run = log.WaitFor(sent[i]);
            Assert.Equal((uint)(1000 * (i + 1)), run.Bytes);
            Assert.Equal(Win32Error.ERROR_SUCCESS, run.Code);
            Assert.True(loop.Server.GetBufferSpan(buffers[i], 1000 * (i + 1)).IndexOfAnyExcept((byte)(0xA0 + i)) < 0, $"The server does not see what the client read into buffer {i}.");
        }

        Assert.Equal(sent[2], log.Runs[0].Command);
        Assert.Equal(3, log.Count);
    }

    [Fact(Timeout = 20000)]
    public async Task A_slot_reused_a_lap_later_after_its_command_completed_last_is_not_taken_for_corruption()
    {
        await Task.Yield();
        using var loop = new Loopback().Active();
        var log = new CompletionLog();
        int ring = Transport.ControlSegmentDescriptor.SlotsPerDevice;
        var server = loop.ServerDevices[0]!;
        var client = loop.ClientDevices[0]!;

        // The oldest command's routine sends the next one at once, from the agent, into the slot it just freed:
        // sequence 128 in slot 0, while sequences 1..127 of the same lap were retired before sequence 0.
        var lapLater = log.Command(VdCommandCode.VDC_Flush);
        var sendNext = new VdiResult[1];
        var oldest = new VdsCommand
        {
            CommandCode = VdCommandCode.VDC_Flush,
            CompletionRoutine = c => sendNext[0] = server.SendCommand(lapLater),
        };
        Assert.Equal(NOERROR, server.SendCommand(oldest));
        var others = new VdsCommand[ring - 1];
        for (int i = 0; i < others.Length; i++)
        {
            others[i] = log.Command(VdCommandCode.VDC_Flush);
            Assert.Equal(NOERROR, server.SendCommand(others[i]));
        }

        var fetched = new VdcCommand[ring];
        for (int i = 0; i < ring; i++)
        {
            Assert.Equal(NOERROR, client.GetCommand(Waits.Prompt, out var command));
            fetched[i] = command!;
        }

        for (int i = 1; i < ring; i++)
        {
            Assert.Equal(NOERROR, client.CompleteCommand(fetched[i], Win32Error.ERROR_SUCCESS, 0, 0));
        }

        log.WaitFor(ring - 1);
        Assert.Equal(NOERROR, client.CompleteCommand(fetched[0], Win32Error.ERROR_SUCCESS, 0, 0));
        Assert.Equal(NOERROR, client.GetCommand(Waits.Prompt, out var next));
        Assert.Equal(NOERROR, sendNext[0]);
        Assert.Equal(NOERROR, client.CompleteCommand(next!, Win32Error.ERROR_SUCCESS, 0, 0));

        // The agent walks from sequence 0 again and finds slot 0 holding sequence 128: a later lap, not a forgery.
        var run = log.WaitFor(lapLater);
        Assert.Equal(Win32Error.ERROR_SUCCESS, run.Code);
        Assert.False(loop.Server.IsAborted, $"The set aborted: {loop.Server.AbortReasonText}.");
        Assert.Equal(NOERROR, server.CloseDevice());
        Assert.Equal(NOERROR, loop.AgentResult());
    }

    [Fact(Timeout = 20000)]
    public async Task Completing_a_command_twice_is_VD_E_INVALID_and_the_routine_runs_once()
    {
        await Task.Yield();
        using var loop = new Loopback().Active();
        var log = new CompletionLog();
        var flush = log.Command(VdCommandCode.VDC_Flush);
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(flush));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var command));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.CompleteCommand(command!, Win32Error.ERROR_SUCCESS, 0, 0));
        Assert.False(command!.IsOutstanding);
        Assert.Equal(VD_E_INVALID, loop.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 0, 0));
        Assert.Equal(VD_E_INVALID, loop.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_DISK_FULL, 0, 0));
        log.WaitFor(flush);

        // Nothing more arrives: the routine ran once, and the second completion did not put the device in IO-ERROR.
        var next = log.Command(VdCommandCode.VDC_Flush);
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(next));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var second));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.CompleteCommand(second!, Win32Error.ERROR_SUCCESS, 0, 0));
        log.WaitFor(next);
        Assert.Single(log.Of(flush));
        Assert.Equal(Win32Error.ERROR_SUCCESS, log.Of(flush)[0].Code);
    }

    [Fact(Timeout = 20000)]
    public async Task Completing_a_command_on_a_device_or_set_it_does_not_belong_to_is_VD_E_INVALID()
    {
        await Task.Yield();
        using var loop = new Loopback(deviceCount: 2).Active();
        using var other = new Loopback().Active();
        var log = new CompletionLog();
        var mine = log.Command(VdCommandCode.VDC_Flush);
        var theirs = log.Command(VdCommandCode.VDC_Flush);
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(mine));
        Assert.Equal(NOERROR, other.ServerDevices[0]!.SendCommand(theirs));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var command));
        Assert.Equal(NOERROR, other.ClientDevices[0]!.GetCommand(Waits.Prompt, out var foreign));

        Assert.Equal(VD_E_INVALID, loop.ClientDevices[1]!.CompleteCommand(command!, Win32Error.ERROR_SUCCESS, 0, 0));
        Assert.Equal(VD_E_INVALID, loop.ClientDevices[0]!.CompleteCommand(foreign!, Win32Error.ERROR_SUCCESS, 0, 0));
        Assert.Equal(VD_E_INVALID, loop.ClientDevices[0]!.CompleteCommand(null!, Win32Error.ERROR_SUCCESS, 0, 0));

        // Both are still outstanding where they belong.
        Assert.True(command!.IsOutstanding && foreign!.IsOutstanding);
        Assert.Equal(0, log.Count);
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 0, 0));
        Assert.Equal(NOERROR, other.ClientDevices[0]!.CompleteCommand(foreign!, Win32Error.ERROR_SUCCESS, 0, 0));
        Assert.Equal(Win32Error.ERROR_SUCCESS, log.WaitFor(mine).Code);
        Assert.Equal(Win32Error.ERROR_SUCCESS, log.WaitFor(theirs).Code);
    }

    [Theory(Timeout = 20000)]
    [InlineData(VdCommandCode.VDC_Write)]
    [InlineData(VdCommandCode.VDC_Read)]
    public async Task More_bytes_transferred_than_the_size_is_VD_E_INVALID_and_the_command_stays_outstanding(VdCommandCode code)
    {
        await Task.Yield();
        using var loop = new Loopback().Active();
        var log = new CompletionLog();
        var sent = log.Command(code, 4096, loop.Allocate());
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(sent));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var command));

        Assert.Equal(VD_E_INVALID, loop.ClientDevices[0]!.CompleteCommand(command!, Win32Error.ERROR_SUCCESS, 4097, 0));
        Assert.Equal(VD_E_INVALID, loop.ClientDevices[0]!.CompleteCommand(command!, Win32Error.ERROR_SUCCESS, uint.MaxValue, 0));
        Assert.True(command!.IsOutstanding, "A refused completion gave the buffer back anyway.");
        Assert.Equal(4096, command.Data.Length);
        Assert.Equal(0, log.Count);

        Assert.Equal(NOERROR, loop.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 4096, 0));
        var run = log.WaitFor(sent);
        Assert.Equal(4096u, run.Bytes);
        Assert.Equal(Win32Error.ERROR_SUCCESS, run.Code);
    }

    [Fact(Timeout = 20000)]
    public async Task After_CompleteCommand_the_buffer_is_no_longer_the_clients()
    {
        await Task.Yield();
        using var loop = new Loopback().Active();
        var log = new CompletionLog();
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(log.Command(VdCommandCode.VDC_Write, 4096, loop.Allocate())));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var command));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.CompleteCommand(command!, Win32Error.ERROR_SUCCESS, 4096, 0));
        Assert.Throws<InvalidOperationException>(() => command!.Data.Length);
        Assert.Throws<InvalidOperationException>(() => command!.Memory.Length);
        Assert.Throws<InvalidOperationException>(() => command!.PrefixZone.Length);
    }

    [Fact(Timeout = 20000)]
    public async Task A_full_queue_is_VD_E_QUEUE_FULL_with_the_routine_run_at_once_on_the_senders_thread_with_1450()
    {
        await Task.Yield();
        using var loop = new Loopback(deviceCount: 2).Active();
        var log = new CompletionLog();
        var accepted = new List<VdsCommand>();
        VdsCommand? refused = null;
        VdiResult result;
        do
        {
            var flush = log.Command(VdCommandCode.VDC_Flush);
            result = loop.ServerDevices[0]!.SendCommand(flush);
            if (result == NOERROR)
            {
                accepted.Add(flush);
            }
            else
            {
                refused = flush;
            }
        }
        while (result == NOERROR && accepted.Count < 100_000);

        Assert.Equal(VD_E_QUEUE_FULL, result);
        Assert.NotEmpty(accepted);

        // The routine ran before SendCommand returned, on this thread, with ERROR_NO_SYSTEM_RESOURCES.
        var run = Assert.Single(log.Runs);
        Assert.Same(refused, run.Command);
        Assert.Equal(Win32Error.ERROR_NO_SYSTEM_RESOURCES, run.Code);
        Assert.Equal(Environment.CurrentManagedThreadId, run.ThreadId);

        // Another device has its own queue.
        var elsewhere = log.Command(VdCommandCode.VDC_Flush);
        Assert.Equal(NOERROR, loop.ServerDevices[1]!.SendCommand(elsewhere));

        // Once the client completes one, there is room again; nothing accepted was lost.
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var first));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.CompleteCommand(first!, Win32Error.ERROR_SUCCESS, 0, 0));
        log.WaitFor(accepted[0]);
        var more = log.Command(VdCommandCode.VDC_Flush);
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(more));
        accepted.Add(more);

        for (int i = 1; i < accepted.Count; i++)
        {
            Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var command));
            Assert.Equal(NOERROR, loop.ClientDevices[0]!.CompleteCommand(command!, Win32Error.ERROR_SUCCESS, 0, 0));
        }

        Assert.Equal(VD_E_TIMEOUT, loop.ClientDevices[0]!.GetCommand(0, out _));
        log.WaitFor(accepted.Count + 1);
        Assert.All(accepted, c => Assert.Equal(Win32Error.ERROR_SUCCESS, Assert.Single(log.Of(c)).Code));
    }

    [Fact(Timeout = 20000)]
    public async Task VD_E_CLOSE_comes_only_after_every_command_sent_before_the_close_was_fetched()
    {
        await Task.Yield();
        using var loop = new Loopback().Active();
        var log = new CompletionLog();
        for (uint i = 0; i < 3; i++)
        {
            Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(log.Command(VdCommandCode.VDC_SkipBlocks, i)));
        }

        Assert.Equal(NOERROR, loop.ServerDevices[0]!.CloseDevice());
        var late = log.Command(VdCommandCode.VDC_Flush);
        Assert.Equal(VD_E_PROTOCOL, loop.ServerDevices[0]!.SendCommand(late));
        Assert.Equal(Win32Error.ERROR_INVALID_HANDLE, Assert.Single(log.Runs).Code);

        for (uint i = 0; i < 3; i++)
        {
            Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(0, out var command));
            Assert.Equal(i, command!.Size);
            Assert.Equal(NOERROR, loop.ClientDevices[0]!.CompleteCommand(command, Win32Error.ERROR_SUCCESS, 0, 0));
        }

        Assert.Equal(VD_E_CLOSE, loop.ClientDevices[0]!.GetCommand(0, out _));
        log.WaitFor(4);
        Assert.Equal(NOERROR, loop.AgentResult());
    }

    [Fact(Timeout = 20000)]
    public async Task CloseDevice_wakes_a_GetCommand_waiting_with_no_timeout()
    {
        await Task.Yield();
        using var loop = new Loopback(deviceCount: 2).Active();
        var waiter = Waits.OnOwnThread(() => loop.ClientDevices[1]!.GetCommand(VdiTimeout.Infinite, out _));
        Waits.UntilBlockedInGetCommand(loop.Client, 1);
        Assert.Equal(NOERROR, loop.ServerDevices[1]!.CloseDevice());
        Assert.Equal(VD_E_CLOSE, await waiter.Within("GetCommand(INFINITE) after CloseDevice"));

        // The other device is still active.
        var log = new CompletionLog();
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(log.Command(VdCommandCode.VDC_Flush)));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out _));
    }

    [Theory(Timeout = 20000)]
    [InlineData(0u)]
    [InlineData(30u)]
    [InlineData(120u)]
    public async Task GetCommand_with_nothing_queued_returns_VD_E_TIMEOUT_after_its_timeout(uint timeoutMs)
    {
        await Task.Yield();
        using var loop = new Loopback().Active();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(VD_E_TIMEOUT, loop.ClientDevices[0]!.GetCommand(timeoutMs, out var none));
        Assert.Null(none);
        Assert.True(clock.ElapsedMilliseconds >= (long)timeoutMs - 1, $"GetCommand({timeoutMs}) gave up after {clock.ElapsedMilliseconds} ms.");

        // The device is unharmed: a command sent now arrives.
        var log = new CompletionLog();
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(log.Command(VdCommandCode.VDC_Flush)));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(0, out var flush));
        Assert.Equal(VdCommandCode.VDC_Flush, flush!.CommandCode);
    }

    [Fact(Timeout = 20000)]
    public async Task SendCommand_wakes_a_GetCommand_waiting_with_no_timeout()
    {
        await Task.Yield();
        using var loop = new Loopback().Active();
        VdcCommand? received = null;
        var waiter = Waits.OnOwnThread(() => loop.ClientDevices[0]!.GetCommand(VdiTimeout.Infinite, out received));
        Waits.UntilBlockedInGetCommand(loop.Client, 0);
        var log = new CompletionLog();
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(log.Command(VdCommandCode.VDC_Rewind)));
        Assert.Equal(NOERROR, await waiter.Within("GetCommand(INFINITE) after SendCommand"));
        Assert.Equal(VdCommandCode.VDC_Rewind, received!.CommandCode);
    }

    public static TheoryData<string, VdCommandCode, int, uint> BadDataCommands => new()
    {
        { "no buffer", VdCommandCode.VDC_Write, -1, 4096 },
        { "an address that is not a buffer", VdCommandCode.VDC_Read, -2, 4096 },
        { "an interior address", VdCommandCode.VDC_Write, 512, 4096 },
        { "a size over the buffer's capacity", VdCommandCode.VDC_Write, 0, 65537 },
    };

    [Theory(Timeout = 20000)]
    [MemberData(nameof(BadDataCommands))]
    public async Task SendCommand_of_a_data_command_without_a_valid_buffer_is_VD_E_INVALID_without_a_routine(string why, VdCommandCode code, int bufferOffset, uint size)
    {
        await Task.Yield();
        using var loop = new Loopback().Active();
        var log = new CompletionLog();
        nint buffer = loop.Allocate();
        nint address = bufferOffset switch
        {
            -1 => 0,
            -2 => System.Runtime.InteropServices.Marshal.AllocHGlobal(8),
            _ => buffer + bufferOffset,
        };
        try
        {
            var result = loop.ServerDevices[0]!.SendCommand(log.Command(code, size, address));
            Assert.True(result == VD_E_INVALID, $"SendCommand of a {code} with {why}: expected VD_E_INVALID, got {result}.");
            Assert.Equal(0, log.Count);
            Assert.Equal(VD_E_TIMEOUT, loop.ClientDevices[0]!.GetCommand(0, out _));
        }
        finally
        {
            if (bufferOffset == -2)
            {
                System.Runtime.InteropServices.Marshal.FreeHGlobal(address);
            }
        }
    }

    [Fact(Timeout = 20000)]
    public async Task SendCommand_refuses_a_buffer_already_with_the_client_an_unallocated_one_a_null_command_and_unknown_codes()
    {
        await Task.Yield();
        using var loop = new Loopback().Active(buffers: 2);
        var log = new CompletionLog();
        nint buffer = loop.Allocate();
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(log.Command(VdCommandCode.VDC_Write, 65536, buffer)));
        Assert.Equal(VD_E_INVALID, loop.ServerDevices[0]!.SendCommand(log.Command(VdCommandCode.VDC_Read, 65536, buffer)));

        nint free = loop.Allocate();
        Loopback.Expect(loop.Server.FreeBuffer(free, 65536));
        Assert.Equal(VD_E_INVALID, loop.ServerDevices[0]!.SendCommand(log.Command(VdCommandCode.VDC_Write, 65536, free)));
        Assert.Equal(VD_E_INVALID, loop.ServerDevices[0]!.SendCommand(null!));
        Assert.Equal(VD_E_INVALID, loop.ServerDevices[0]!.SendCommand(log.Command(0)));
        Assert.Equal(VD_E_INVALID, loop.ServerDevices[0]!.SendCommand(log.Command((VdCommandCode)20)));
        Assert.Equal(0, log.Count);

        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(0, out var only));
        Assert.Equal(VdCommandCode.VDC_Write, only!.CommandCode);
        Assert.Equal(VD_E_TIMEOUT, loop.ClientDevices[0]!.GetCommand(0, out _));
    }
}
