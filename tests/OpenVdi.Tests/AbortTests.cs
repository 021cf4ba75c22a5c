using System.Diagnostics;
using OpenVdi.Tests.Infrastructure;
using static OpenVdi.VdiResult;

namespace OpenVdi.Tests;

/// <summary>
/// Abnormal termination (spec §3.8, §4.2 SignalAbort, §9.3, §9.4): SignalAbort from either side, waiters released
/// with VD_E_ABORT, outstanding commands completed with ERROR_OPERATION_ABORTED, late completions ignored, and the
/// serverTimeOut watchdog.
/// </summary>
public class AbortTests
{
    public enum Side
    {
        Client,
        Server,
    }

    private static VdiResult SignalAbort(Loopback loop, Side side) =>
        side == Side.Client ? loop.Client.SignalAbort() : loop.Server.SignalAbort();

    [Theory(Timeout = 20000)]
    [InlineData(Side.Client)]
    [InlineData(Side.Server)]
    public async Task SignalAbort_completes_every_outstanding_command_with_995_exactly_once(Side side)
    {
        await Task.Yield();
        using var loop = new Loopback(deviceCount: 2).Active(buffers: 4);
        var log = new CompletionLog();
        var deliveredWrite = log.Command(VdCommandCode.VDC_Write, 65536, loop.Allocate());
        var queuedWrite = log.Command(VdCommandCode.VDC_Write, 65536, loop.Allocate());
        var queuedFlush = log.Command(VdCommandCode.VDC_Flush);
        var deliveredFlush = log.Command(VdCommandCode.VDC_Flush);
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(deliveredWrite));
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(queuedWrite));
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(queuedFlush));
        Assert.Equal(NOERROR, loop.ServerDevices[1]!.SendCommand(deliveredFlush));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var write));
        Assert.Equal(NOERROR, loop.ClientDevices[1]!.GetCommand(Waits.Prompt, out var flush));

        Assert.Equal(NOERROR, SignalAbort(loop, side));

        Assert.Equal(VD_E_ABORT, loop.AgentResult());
        foreach (var command in new[] { deliveredWrite, queuedWrite, queuedFlush, deliveredFlush })
        {
            Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, log.WaitFor(command).Code);
        }

        // Late completions are refused and ignored; queued commands are never delivered.
        Assert.Equal(VD_E_ABORT, loop.ClientDevices[0]!.CompleteCommand(write!, Win32Error.ERROR_SUCCESS, 65536, 0));
        Assert.Equal(VD_E_ABORT, loop.ClientDevices[1]!.CompleteCommand(flush!, Win32Error.ERROR_SUCCESS, 0, 0));
        Assert.Equal(VD_E_ABORT, loop.ClientDevices[0]!.GetCommand(0, out var none));
        Assert.Null(none);
        Assert.Equal(4, log.Count);

        // No new command is accepted: the routine runs at once on the sender's thread with 995.
        var late = log.Command(VdCommandCode.VDC_Flush);
        Assert.Equal(VD_E_ABORT, loop.ServerDevices[1]!.SendCommand(late));
        var run = Assert.Single(log.Of(late));
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, run.Code);
        Assert.Equal(Environment.CurrentManagedThreadId, run.ThreadId);

        // No new buffers are handed out; both sides see the abort.
        Assert.Equal(VD_E_ABORT, loop.Server.AllocateBuffer(out _, 512, 0));
        Assert.True(loop.Client.IsAborted && loop.Server.IsAborted);
        Assert.Equal(VD_E_ABORT, loop.Client.GetConfiguration(0, out _));
        Assert.Equal(VD_E_ABORT, loop.Server.GetConfiguration(out _));
        Assert.Equal(VD_E_ABORT, loop.ServerDevices[0]!.CloseDevice());

        // Close succeeds on both sides in an aborted set, devices open or not.
        Assert.Equal(NOERROR, loop.Client.Close());
        Assert.Equal(NOERROR, loop.Server.Close());
        Assert.Equal(5, log.Count);
    }

    [Theory(Timeout = 20000)]
    [InlineData(Side.Client)]
    [InlineData(Side.Server)]
    public async Task An_agent_started_after_the_abort_still_completes_every_outstanding_command_with_995(Side side)
    {
        // Found by the long soak: a server sends on a device before its agent thread is scheduled, the set aborts in
        // between (here a corrupt word the client found), and the agent, returning VD_E_ABORT at once, never ran the
        // routines: the server waited for ever for a write nobody would complete.
        await Task.Yield();
        using var loop = new Loopback().Initialized(buffers: 4);
        Loopback.Expect(loop.Server.OpenDevice(loop.DeviceNames[0], out loop.ServerDevices[0]));
        Loopback.Expect(loop.Client.OpenDevice(loop.DeviceNames[0], out loop.ClientDevices[0]));
        var log = new CompletionLog();
        var write = log.Command(VdCommandCode.VDC_Write, 65536, loop.Allocate());
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(write));

        Assert.Equal(NOERROR, SignalAbort(loop, side));
        loop.StartAgent();

        Assert.Equal(VD_E_ABORT, loop.AgentResult());
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, log.WaitFor(write).Code);
        Assert.Single(log.Of(write));
    }

    [Theory(Timeout = 20000)]
    [InlineData(Side.Client)]
    [InlineData(Side.Server)]
    public async Task A_GetCommand_waiting_with_no_timeout_returns_VD_E_ABORT_promptly(Side side)
    {
        await Task.Yield();
        using var loop = new Loopback(deviceCount: 2).Active();
        var first = Waits.OnOwnThread(() => loop.ClientDevices[0]!.GetCommand(VdiTimeout.Infinite, out _));
        var second = Waits.OnOwnThread(() => loop.ClientDevices[1]!.GetCommand(VdiTimeout.Infinite, out _));
        Waits.UntilBlockedInGetCommand(loop.Client, 0);
        Waits.UntilBlockedInGetCommand(loop.Client, 1);

        Assert.Equal(NOERROR, SignalAbort(loop, side));
        Assert.Equal(VD_E_ABORT, await first.Within($"GetCommand(INFINITE) on device 0 after the {side}'s SignalAbort"));
        Assert.Equal(VD_E_ABORT, await second.Within($"GetCommand(INFINITE) on device 1 after the {side}'s SignalAbort"));
        Assert.Equal(VD_E_ABORT, loop.AgentResult());
    }

    [Theory(Timeout = 20000)]
    [InlineData(Side.Client)]
    [InlineData(Side.Server)]
    public async Task A_GetConfiguration_waiting_with_no_timeout_returns_VD_E_ABORT_promptly(Side side)
    {
        await Task.Yield();
        using var loop = new Loopback();
        if (side == Side.Server)
        {
            loop.Configurable();
        }
        else
        {
            loop.Created();
        }

        var waiting = Waits.OnOwnThread(() => loop.Client.GetConfiguration(VdiTimeout.Infinite, out _));
        Waits.UntilBlockedOnSetEvent(loop.Client);
        Assert.Equal(NOERROR, SignalAbort(loop, side));
        Assert.Equal(VD_E_ABORT, await waiting.Within($"GetConfiguration(INFINITE) after the {side}'s SignalAbort"));
        Assert.Equal(VD_E_ABORT, loop.Client.GetConfiguration(VdiTimeout.Infinite, out _));
        if (side == Side.Server)
        {
            Assert.Equal(VD_E_ABORT, loop.Server.EndConfiguration());
        }
    }

    [Theory(Timeout = 20000)]
    [InlineData(Side.Client)]
    [InlineData(Side.Server)]
    public async Task A_client_OpenDevice_waiting_for_the_server_to_name_the_device_returns_VD_E_ABORT_promptly(Side side)
    {
        await Task.Yield();
        using var loop = new Loopback(deviceCount: 2).Initialized();
        var opening = Waits.OnOwnThread(() => loop.Client.OpenDevice(loop.DeviceNames[1], out _));
        Waits.UntilBlockedOnSetEvent(loop.Client);
        Assert.Equal(NOERROR, SignalAbort(loop, side));
        Assert.Equal(VD_E_ABORT, await opening.Within($"OpenDevice waiting for a name after the {side}'s SignalAbort"));
    }

    [Fact(Timeout = 20000)]
    public async Task SignalAbort_from_another_thread_than_the_waiting_ones_releases_every_waiter_of_the_set()
    {
        await Task.Yield();
        using var loop = new Loopback(deviceCount: 3).Active();
        var waiters = Enumerable.Range(0, 3).Select(i => Waits.OnOwnThread(() => loop.ClientDevices[i]!.GetCommand(VdiTimeout.Infinite, out _))).ToArray();
        for (int i = 0; i < 3; i++)
        {
            Waits.UntilBlockedInGetCommand(loop.Client, i);
        }

        var aborter = Waits.OnOwnThread(loop.Client.SignalAbort);
        Assert.Equal(NOERROR, await aborter.Within("SignalAbort on its own thread"));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(VD_E_ABORT, await waiters[i].Within($"GetCommand(INFINITE) on device {i}"));
        }
    }

    [Fact(Timeout = 30000)]
    public async Task ServerTimeOut_aborts_with_a_command_pending_and_none_completing()
    {
        await Task.Yield();
        using var loop = new Loopback(serverTimeOut: 200).Active();
        var log = new CompletionLog();
        var flush = log.Command(VdCommandCode.VDC_Flush);
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(flush));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var held));

        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, log.WaitFor(flush, timeoutMs: 10000).Code);
        Assert.Equal("ServerTimeout", loop.Server.AbortReasonText);
        Assert.Equal(VD_E_ABORT, loop.AgentResult());

        // The client sees it too.
        Assert.True(loop.Client.IsAborted);
        Assert.Equal(VD_E_ABORT, loop.ClientDevices[0]!.GetCommand(0, out _));
        Assert.Equal(VD_E_ABORT, loop.ClientDevices[0]!.CompleteCommand(held!, Win32Error.ERROR_SUCCESS, 0, 0));
    }

    /// <summary>
    /// §6.1: the abort comes when the agent has waited more than two intervals with requests pending, so never sooner
    /// than two intervals after the send. The command is sent a quarter interval into the agent's first idle sleep: an
    /// agent that counts from its last idle look rather than from when the command became pending aborts that much
    /// early. Three rounds, each a new set; a correct agent passes whatever the moment of the send.
    /// </summary>
    [Fact(Timeout = 30000)]
    public async Task ServerTimeOut_does_not_abort_before_two_intervals_of_pending()
    {
        await Task.Yield();
        const int TimeOutMs = 200;
        for (int round = 0; round < 3; round++)
        {
            using var loop = new Loopback(serverTimeOut: TimeOutMs).Active();
            var log = new CompletionLog();
            Waits.Until(() => loop.Control().AgentWaiting, "the completion agent, just started, sleeps idle");
            Waits.Pace(TimeOutMs / 4);
            long sentAt = Stopwatch.GetTimestamp();
            var flush = log.Command(VdCommandCode.VDC_Flush);
            Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(flush));
            var run = log.WaitFor(flush, timeoutMs: 10000);
            Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, run.Code);
            double pendingMs = Stopwatch.GetElapsedTime(sentAt, run.Timestamp).TotalMilliseconds;
            Assert.True(pendingMs >= 2 * TimeOutMs, $"Round {round}: the set aborted {pendingMs:F0} ms after the command was sent, before two intervals of {TimeOutMs} ms.");
            Assert.Equal("ServerTimeout", loop.Server.AbortReasonText);
        }
    }

    [Fact(Timeout = 30000)]
    public async Task ServerTimeOut_aborts_a_set_whose_commands_are_never_fetched()
    {
        await Task.Yield();
        using var loop = new Loopback(serverTimeOut: 100).Active();
        var log = new CompletionLog();
        var flush = log.Command(VdCommandCode.VDC_Flush);
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(flush));
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, log.WaitFor(flush, timeoutMs: 10000).Code);
        Assert.Equal(VD_E_ABORT, loop.AgentResult());
        Assert.Equal(VD_E_ABORT, loop.ClientDevices[0]!.GetCommand(0, out _));
    }

    /// <summary>
    /// No abort with nothing pending, nor while completions keep coming with a command always pending. The interval is
    /// long next to the pace of completions (1/20), so only a stall of the test thread over a whole interval could make
    /// the set abort here.
    /// </summary>
    [Fact(Timeout = 30000)]
    public async Task ServerTimeOut_does_not_abort_an_idle_set_nor_one_whose_completions_keep_coming()
    {
        await Task.Yield();
        const int TimeOutMs = 500;
        using var loop = new Loopback(serverTimeOut: TimeOutMs).Active();
        var log = new CompletionLog();

        // Idle, nothing pending, for two and a half intervals.
        Waits.Pace(5 * TimeOutMs / 2);
        Assert.False(loop.Client.IsAborted, "serverTimeOut aborted a set with nothing pending.");

        // Always one command pending for four intervals, but a completion every twentieth of an interval.
        var clock = Stopwatch.StartNew();
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(log.Command(VdCommandCode.VDC_Flush)));
        int sent = 1;
        while (clock.ElapsedMilliseconds < 4 * TimeOutMs)
        {
            Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(log.Command(VdCommandCode.VDC_Flush)));
            sent++;
            Waits.Pace(TimeOutMs / 20);
            var fetched = loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var command);
            Assert.True(fetched == NOERROR, $"GetCommand returned {fetched} after {clock.ElapsedMilliseconds} ms of completions every {TimeOutMs / 20} ms (abort reason: {loop.Server.AbortReasonText}).");
            Assert.Equal(NOERROR, loop.ClientDevices[0]!.CompleteCommand(command!, Win32Error.ERROR_SUCCESS, 0, 0));
        }

        Assert.False(loop.Server.IsAborted, $"serverTimeOut aborted a set with completions every {TimeOutMs / 20} ms ({loop.Server.AbortReasonText}).");
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var last));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.CompleteCommand(last!, Win32Error.ERROR_SUCCESS, 0, 0));
        Assert.All(log.WaitFor(sent), r => Assert.Equal(Win32Error.ERROR_SUCCESS, r.Code));
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.CloseDevice());
        Assert.Equal(NOERROR, loop.AgentResult());
    }

    [Fact(Timeout = 30000)]
    public async Task A_completion_routine_that_throws_aborts_the_set_and_the_agent_completes_every_other_command_with_995_before_it_rethrows()
    {
        await Task.Yield();
        using var loop = new Loopback(deviceCount: 2).Initialized();
        for (int i = 0; i < 2; i++)
        {
            Loopback.Expect(loop.Server.OpenDevice(loop.DeviceNames[i], out loop.ServerDevices[i]));
            Loopback.Expect(loop.Client.OpenDevice(loop.DeviceNames[i], out loop.ClientDevices[i]));
        }

        var log = new CompletionLog();
        var throwing = new VdsCommand { CommandCode = VdCommandCode.VDC_Flush, CompletionRoutine = _ => throw new InvalidOperationException("the routine failed") };
        var other = log.Command(VdCommandCode.VDC_Flush);
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(throwing));
        Assert.Equal(NOERROR, loop.ServerDevices[1]!.SendCommand(other));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var fetched));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.CompleteCommand(fetched!, Win32Error.ERROR_SUCCESS, 0, 0));

        var agent = Waits.OnOwnThread<Exception?>(() =>
        {
            try
            {
                loop.Server.ExecuteCompletionAgent();
                return null;
            }
            catch (InvalidOperationException e)
            {
                return e;
            }
        });
        var thrown = await agent.Within("ExecuteCompletionAgent after a routine threw");

        Assert.Equal("the routine failed", thrown?.Message);
        Assert.True(loop.Server.IsAborted);

        // The other device's command was completed by the agent before it rethrew, not left for Close.
        var run = Assert.Single(log.Of(other));
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, run.Code);
    }
}
