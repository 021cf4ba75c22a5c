using System.Diagnostics;
using System.Globalization;
using OpenVdi.Tests.Infrastructure;
using static OpenVdi.VdiResult;

namespace OpenVdi.Tests;

/// <summary>
/// The lock-free paths under many interleavings: the buffer allocator's claim of a buffer by racing senders, and,
/// across two processes, the two waits that sleep on a futex after registering as a waiter (a synchronous GetCommand,
/// and the doorbell behind the asynchronous one), each in a ping-pong where the server publishes just as the client
/// goes back to sleep. Each
/// test is one that a known-bad variant of the code fails (<see cref="KnownBadVariantTests"/> builds them and shows
/// it). <c>OPENVDI_STRESS_ROUNDS</c> sets the rounds (default 20,000).
/// </summary>
public class OrderingStressTests
{
    /// <summary>How long one round may take before a wait is taken for a lost wake-up (a round takes microseconds).</summary>
    private const int LostWakeUp = 10000;

    private static readonly int s_rounds =
        int.TryParse(Environment.GetEnvironmentVariable("OPENVDI_STRESS_ROUNDS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int rounds) ? rounds : 20000;

    [Fact(Timeout = 120000)]
    public async Task Two_devices_racing_to_send_one_buffer_never_both_get_it()
    {
        await Task.Yield();

        // Declared first, disposed last: the abort that closing the set makes runs the routines of what is left.
        using var retired = new SemaphoreSlim(0);
        using var loop = new Loopback(deviceCount: 2).Active(buffers: 2);
        nint buffer = loop.Allocate();
        var results = new VdiResult[2];
        var commands = new VdsCommand[2];
        using var go = new Barrier(3);
        bool stop = false;
        var senders = Enumerable.Range(0, 2).Select(device => new Thread(() =>
        {
            while (true)
            {
                go.SignalAndWait();
                if (Volatile.Read(ref stop))
                {
                    return;
                }

                results[device] = loop.ServerDevices[device]!.SendCommand(commands[device]);
                go.SignalAndWait();
            }
        })).ToArray();
        Array.ForEach(senders, s => s.Start());
        int bothGotIt = 0;
        try
        {
            for (int round = 0; round < s_rounds; round++)
            {
                for (int device = 0; device < 2; device++)
                {
                    commands[device] = new VdsCommand { CommandCode = VdCommandCode.VDC_Write, Size = 65536, Buffer = buffer, CompletionRoutine = _ => retired.Release() };
                }

                go.SignalAndWait();
                go.SignalAndWait();
                if (results.Count(r => r == NOERROR) == 2)
                {
                    bothGotIt = round + 1;
                    break;
                }

                for (int device = 0; device < 2; device++)
                {
                    if (results[device] == NOERROR)
                    {
                        // The client carries it out; the buffer is free again once its routine ran.
                        Assert.Equal(NOERROR, loop.ClientDevices[device]!.GetCommand(LostWakeUp, out var fetched));
                        Assert.Equal(NOERROR, loop.ClientDevices[device]!.CompleteCommand(fetched!, Win32Error.ERROR_SUCCESS, fetched!.Size, 0));
                        Assert.True(await retired.WaitAsync(LostWakeUp), $"Round {round}: the completion routine did not run.");
                    }
                    else
                    {
                        Assert.Equal(VD_E_INVALID, results[device]);
                    }
                }

                Assert.True(results.Contains(NOERROR), $"Round {round}: neither sender got the free buffer ({results[0]}, {results[1]}).");
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            go.SignalAndWait();
            Array.ForEach(senders, s => s.Join());
        }

        Assert.True(bothGotIt == 0, $"Round {bothGotIt}: two devices were both given the same buffer at once: the allocator's claim is not atomic.");
    }

    [Fact(Timeout = 120000)]
    public Task A_synchronous_GetCommand_loses_no_wake_up_when_the_server_publishes_as_it_goes_to_sleep() =>
        PingPongAcrossProcessesAsync("sync");

    [Fact(Timeout = 120000)]
    public Task An_asynchronous_GetCommand_loses_no_wake_up_when_the_server_publishes_as_the_doorbell_goes_to_sleep() =>
        PingPongAcrossProcessesAsync("async");

    /// <summary>
    /// This process serves one device as SQL Server would, one VDC_Flush at a time; a client process fetches and
    /// completes each (<c>PingPongClient</c>), pausing a random moment after each completion, so that its return to
    /// sleep meets the server's next publication at a different point every round.
    /// </summary>
    private static async Task PingPongAcrossProcessesAsync(string wait)
    {
        string name = SetNames.Unique("pingpong");
        using var client = PeerProcess.Start("client-ping-pong", name, s_rounds.ToString(CultureInfo.InvariantCulture), wait);
        await client.WaitForLineAsync("created");
        using var server = new ServerVirtualDeviceSet();
        var device = BackupServer.Open(server, name);
        var agent = Waits.OnOwnThread(server.ExecuteCompletionAgent);
        using var ping = new PingPong(device, s_rounds);

        string said = await client.WaitForLineAsync("", 100000);
        string[] word = said.Split(' ');
        Assert.True(word[0] == "done", word[0] == "lost-wake-up"
            ? $"Round {word[1]}: a {wait} GetCommand waited {word[2]} ms: the server's command, published as the client went to sleep, never woke it."
            : $"The client said: {said}");
        ping.AssertAllCompleted();
        Assert.Equal(NOERROR, device.CloseDevice());
        Assert.Equal("end VD_E_CLOSE", await client.WaitForLineAsync("end"));
        Assert.Equal(NOERROR, await agent.Within("The completion agent after the ping-pong", LostWakeUp));
        Assert.Equal(NOERROR, server.Close());
        Assert.Equal(0, await client.WaitForExitAsync());
    }

    /// <summary>
    /// The server's side of a ping-pong: one VDC_Flush at a time, the next sent by the previous one's completion
    /// routine on the agent's thread, so that each publication races the client's return to its wait.
    /// </summary>
    private sealed class PingPong : IDisposable
    {
        private readonly IServerVirtualDevice _device;
        private readonly int _rounds;
        private readonly ManualResetEventSlim _done = new();
        private int _sent;
        private int _failures;

        public PingPong(IServerVirtualDevice device, int rounds)
        {
            _device = device;
            _rounds = rounds;
            Send();
        }

        public void AssertAllCompleted()
        {
            Assert.True(_done.Wait(LostWakeUp), $"{_sent} of {_rounds} commands were sent.");
            Assert.Equal(0, Volatile.Read(ref _failures));
        }

        public void Dispose() => _done.Dispose();

        private void Send()
        {
            var command = new VdsCommand { CommandCode = VdCommandCode.VDC_Flush, CompletionRoutine = Completed };
            _sent++;
            if (_device.SendCommand(command) != NOERROR)
            {
                Interlocked.Increment(ref _failures);
                _done.Set();
            }
        }

        private void Completed(VdsCommand command)
        {
            if (command.CompletionCode != Win32Error.ERROR_SUCCESS)
            {
                // The set ended under the ping-pong (a failed round, then the dispose): nothing more is sent.
                Interlocked.Increment(ref _failures);
                _done.Set();
                return;
            }

            if (_sent < _rounds)
            {
                Send();
            }
            else
            {
                _done.Set();
            }
        }
    }
}
