using System.Collections.Concurrent;
using OpenVdi.Engine.Devices;
using OpenVdi.Testing;
using OpenVdi.TestPeer;
using OpenVdi.Tests.Infrastructure;

namespace OpenVdi.Tests;

/// <summary>
/// <see cref="StreamingOptions.ParallelDevices"/>: each device's loop on a thread of its own, so that the producers'
/// and consumers' copies of several devices run in parallel. What a caller relies on: every device's producer (or
/// consumer) runs on that device's thread and never twice at once, the bytes arrive in order, and a failure on one
/// device still ends every loop and the statement.
/// </summary>
public class ParallelDevicesTests
{
    private const int Devices = 4;
    private const int Transfers = 24;
    private const int Transfer = 65536;

    [Fact(Timeout = 60000)]
    public async Task A_parallel_restore_consumes_every_device_on_its_own_thread_in_order()
    {
        string name = SetNames.Unique("parallel");
        using var client = new ClientVirtualDeviceSet();
        Loopback.Expect(client.CreateEx(null, name, new VdConfig { DeviceCount = Devices }));
        var calls = new DeviceCalls();
        var received = new long[Devices];
        int servingThreads = 0;
        var server = StartServer(name, VdFeatures.VDF_ReadMedia, streaming => streaming.RunRestore((device, data) =>
        {
            using var call = calls.Enter(device);
            Volatile.Write(ref servingThreads, streaming.Set.ServingThreads);
            long bad = TestPattern.FirstMismatch(device, received[device], data);
            Assert.True(bad < 0, $"device {device}: wrong byte at stream offset {bad}");
            received[device] += data.Length;
            return true;
        }));

        await ServeClientAsync(client, name, (device, command, served) =>
        {
            if (served == Transfers)
            {
                return (Win32Error.ERROR_HANDLE_EOF, 0u);
            }

            TestPattern.Fill(device, (long)served * Transfer, command.Data[..Transfer]);
            return (Win32Error.ERROR_SUCCESS, (uint)Transfer);
        });
        var result = await Within.Await(server, TimeSpan.FromSeconds(30), "The parallel restore did not end.");

        Assert.True(result.Succeeded, result.Failure);
        Assert.All(received, bytes => Assert.Equal((long)Transfers * Transfer, bytes));
        calls.AssertEachDeviceOnItsOwnThread();

        // The agent knows the device threads beside it, and so does not spin on the processors they copy on.
        Assert.Equal(Environment.ProcessorCount > 1 ? Devices + 1 : 1, Volatile.Read(ref servingThreads));
    }

    [Fact(Timeout = 60000)]
    public async Task A_producer_failing_on_one_parallel_device_ends_every_loop_and_names_that_device()
    {
        string name = SetNames.Unique("parallel");
        using var client = new ClientVirtualDeviceSet();
        Loopback.Expect(client.CreateEx(null, name, new VdConfig { DeviceCount = Devices }));
        var calls = new DeviceCalls();
        var sent = new long[Devices];
        var server = StartServer(name, VdFeatures.VDF_WriteMedia, streaming => streaming.RunBackup((device, buffer) =>
        {
            using var call = calls.Enter(device);
            if (device == 2 && sent[device] == 5)
            {
                throw new IOException("The source of device 2 could not be read.");
            }

            sent[device]++;
            return buffer.Length;
        }));

        // The client completes whatever comes until its devices end: the abort ends them.
        var clientEnd = ServeClientAsync(client, name, (_, command, _) => (Win32Error.ERROR_SUCCESS, command.Size), expectAbort: true);
        var result = await Within.Await(server, TimeSpan.FromSeconds(30), "A failing producer left the parallel backup running.");
        await Within.Await(clientEnd.ContinueWith(_ => true, TaskScheduler.Default), TimeSpan.FromSeconds(30), "The client's devices did not end after the server's failure.");

        Assert.False(result.Succeeded, "A producer's failure fails the backup.");
        Assert.Equal(2, result.FailedDevice);
        Assert.Contains("device 2 could not be read", result.Failure, StringComparison.Ordinal);
        calls.AssertEachDeviceOnItsOwnThread(allDevices: false);
    }

    private static Task<StreamingResult> StartServer(string name, VdFeatures direction, Func<StreamingServer, StreamingResult> run)
    {
        var options = new StreamingOptions { MaxTransferSize = Transfer, BufferCount = 3 * Devices, ParallelDevices = true };
        string[] others = [.. Enumerable.Range(1, Devices - 1).Select(d => $"{name}.{d}")];
        return Task.Factory.StartNew(
            () =>
            {
                using var streaming = StreamingServer.Open(null, name, direction, options, others);
                return run(streaming);
            },
            TaskCreationOptions.LongRunning);
    }

    /// <summary>Serves every device on a thread of its own until it ends; <paramref name="answer"/> says how each data command completes.</summary>
    private static Task ServeClientAsync(ClientVirtualDeviceSet client, string name, Func<int, VdcCommand, int, (uint Code, uint Bytes)> answer, bool expectAbort = false)
    {
        Loopback.Expect(client.GetConfiguration(10000, out _));
        var devices = Enumerable.Range(0, Devices).Select(d =>
        {
            Loopback.Expect(client.OpenDevice(d == 0 ? name : $"{name}.{d}", out var device));
            return (Index: d, Device: device!);
        }).ToArray();
        return Task.WhenAll(devices.Select(d => Task.Factory.StartNew(
            () =>
            {
                int served = 0;
                while (true)
                {
                    var result = d.Device.GetCommand(10000, out var command);
                    if (result == VdiResult.VD_E_CLOSE || (expectAbort && result == VdiResult.VD_E_ABORT))
                    {
                        return;
                    }

                    Loopback.Expect(result);
                    var (code, bytes) = command!.CommandCode is VdCommandCode.VDC_Read or VdCommandCode.VDC_Write
                        ? answer(d.Index, command, served++)
                        : (Win32Error.ERROR_SUCCESS, 0u);
                    var completed = d.Device.CompleteCommand(command, code, bytes, 0);
                    if (expectAbort && completed == VdiResult.VD_E_ABORT)
                    {
                        return;
                    }

                    Loopback.Expect(completed);
                }
            },
            TaskCreationOptions.LongRunning)));
    }

    /// <summary>Which threads ran each device's producer or consumer, and whether two calls for one device ever overlapped.</summary>
    private sealed class DeviceCalls
    {
        private readonly ConcurrentDictionary<int, ConcurrentDictionary<string, bool>> _threads = new();
        private readonly int[] _inside = new int[Devices];
        private int _overlaps;

        public Call Enter(int device)
        {
            _threads.GetOrAdd(device, _ => new()).TryAdd(Thread.CurrentThread.Name ?? "(unnamed)", true);
            if (Interlocked.Increment(ref _inside[device]) != 1)
            {
                Interlocked.Increment(ref _overlaps);
            }

            return new Call(this, device);
        }

        /// <summary>No call overlapped another of its device; each device ran on its own thread (every device when <paramref name="allDevices"/>: a failure may end a device before its first call).</summary>
        public void AssertEachDeviceOnItsOwnThread(bool allDevices = true)
        {
            Assert.Equal(0, Volatile.Read(ref _overlaps));
            if (allDevices)
            {
                Assert.Equal(Devices, _threads.Count);
            }


            // On one processor there is nothing to run in parallel, and the loops stay on the agent's thread.
            if (Environment.ProcessorCount > 1)
            {
                Assert.All(_threads, pair => Assert.Equal([$"VDI device {pair.Key}"], pair.Value.Keys));
            }
        }

        public readonly struct Call(DeviceCalls calls, int device) : IDisposable
        {
            public void Dispose() => Interlocked.Decrement(ref calls._inside[device]);
        }
    }
}
