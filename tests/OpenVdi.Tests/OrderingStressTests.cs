using System.Diagnostics;
using System.Globalization;
using OpenVdi.Tests.Idiomatic;
using OpenVdi.Tests.Infrastructure;
using static OpenVdi.VdiResult;

namespace OpenVdi.Tests;

/// <summary>
/// The lock-free paths under many interleavings: the buffer allocator's claim of a buffer by racing senders, and the
/// two waits that sleep on a futex after registering as a waiter (a synchronous GetCommand, and the doorbell behind
/// the asynchronous one), each in a ping-pong where the server publishes just as the client goes back to sleep. Each
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
    public async Task A_synchronous_GetCommand_loses_no_wake_up_when_the_server_publishes_as_it_goes_to_sleep()
    {
        await Task.Yield();
        using var loop = new Loopback().Active(buffers: 2);
        using var ping = new PingPong(loop.ServerDevices[0]!, s_rounds);
        var client = Task.Factory.StartNew(
            () =>
            {
                var jitter = new Random(1);
                for (int round = 0; round < s_rounds; round++)
                {
                    // The server publishes a few microseconds after each completion: a random pause moves the client's
                    // last look before sleeping across that moment, round after round.
                    Jitter(jitter);
                    long start = Stopwatch.GetTimestamp();
                    var got = loop.ClientDevices[0]!.GetCommand(LostWakeUp, out var command);

                    // A sleeping wait looks again when its slice ends, so a lost wake-up shows as a wait of a whole slice
                    // (100 ms here, far longer in a variant that sleeps for good), not as a missing command.
                    var waited = Stopwatch.GetElapsedTime(start);
                    Assert.True(got == NOERROR && waited.TotalMilliseconds < LostWakeUp, $"Round {round}: GetCommand answered {got} after {waited.TotalMilliseconds:F0} ms: the server's command, published as the client went to sleep, never woke it.");
                    Assert.Equal(NOERROR, loop.ClientDevices[0]!.CompleteCommand(command!, Win32Error.ERROR_SUCCESS, 0, 0));
                }
            },
            TaskCreationOptions.LongRunning);

        await client.WaitAsync(TimeSpan.FromSeconds(100));
        ping.AssertAllCompleted();
    }

    [Fact(Timeout = 120000)]
    public async Task An_asynchronous_GetCommand_loses_no_wake_up_when_the_server_publishes_as_the_doorbell_goes_to_sleep()
    {
        using var loop = new Loopback();
        using var set = loop.ActiveIdiomatic(out var devices, buffers: 2);
        using var ping = new PingPong(loop.ServerDevices[0]!, s_rounds);
        await ServeOnTheDoorbellsThreadAsync(devices[0]);
        ping.AssertAllCompleted();
    }

    /// <summary>
    /// The client of the asynchronous ping-pong. Awaited without the test's context, the loop continues on the doorbell's
    /// thread: the pause after each completion moves the doorbell's last look before sleeping across the moment the
    /// server publishes the next command.
    /// </summary>
    private static async Task ServeOnTheDoorbellsThreadAsync(VirtualDevice device)
    {
        var jitter = new Random(2);
        for (int round = 0; round < s_rounds; round++)
        {
            using var patience = new CancellationTokenSource(LostWakeUp);
            DeviceCommand? command;
            try
            {
                command = await device.GetCommandAsync(patience.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Round {round}: GetCommandAsync did not complete: the server's command, published as the doorbell's waiter went to sleep, never woke it.");
                throw;
            }

            Assert.True(command.HasValue, $"Round {round}: GetCommandAsync found the device closed.");
            command.Value.Complete();
            Jitter(jitter);
        }
    }

    /// <summary>A pause of 0 to about 20 µs.</summary>
    private static void Jitter(Random random) => Thread.SpinWait(random.Next(400));

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
