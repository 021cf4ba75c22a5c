using System.Diagnostics;
using OpenVdi.Engine.Devices;

namespace OpenVdi.Bench.Throughput;

/// <summary>
/// OpenVdi carrying a backup: the client process (the consumer) creates a set of one device per stream; the server
/// process (the producer) configures it with MAXTRANSFERSIZE = the transfer size and BUFFERCOUNT buffers shared by all
/// devices, and drives every device as SQL Server does (<see cref="StreamingServer"/>): each VDC_Write's buffer is
/// filled with one copy from the source, and the client reads it in place, where the server put it.
/// </summary>
internal sealed class OpenVdiThroughput : IThroughputTransport
{
    /// <summary>
    /// From this transfer size up, each side gives every device a thread of its own: the client waits synchronously on
    /// a thread per device, the server runs <see cref="StreamingOptions.ParallelDevices"/>, and the copies of several
    /// devices run in parallel. Below it the copy per command is short and the wake-ups dominate: one thread per side
    /// carries every device (the client's doorbell waiter, with asynchronous waits; the server's completion agent), and
    /// two threads fit on two processors, so both spin instead of sleeping (docs/benchmarks.md).
    /// </summary>
    public const int ThreadPerDeviceFrom = 256 * 1024;

    public static OpenVdiThroughput Instance { get; } = new();

    /// <summary>The device names of set <paramref name="set"/>: the set's own name first, as SQL Server's statement names them.</summary>
    public static string DeviceName(string set, int device) => device == 0 ? set : $"{set}.{device}";

    /// <summary>
    /// The client's side. Creates the set, starts the producer (the statement), serves every device (a thread each, or
    /// all on the set's doorbell waiter: <see cref="ThreadPerDeviceFrom"/>); the clock runs from the end of
    /// configuration to the last device's VD_E_CLOSE.
    /// </summary>
    public ThroughputMeasurement Consume(ThroughputCase run, string endpoint, IProducerLink producer, CancellationToken abort)
    {
        using var vds = new ClientVirtualDeviceSet();
        var config = new VdConfig { DeviceCount = (uint)run.Streams, Features = VdFeatures.VDF_RequestComplete };
        string set = endpoint;
        Check(vds.CreateEx(null, set, config), "CreateEx");

        // A stuck or dead producer must not hang the bench: the watchdog's cancellation aborts the set.
        using var registration = abort.Register(() => vds.SignalAbort());
        producer.Start();
        Check(vds.GetConfiguration(VdiTimeout.Infinite, out _), "GetConfiguration");
        var tally = new ConsumerTally();
        var clock = Stopwatch.StartNew();
        if (run.TransferSize < ThreadPerDeviceFrom)
        {
            Task.WaitAll([.. Enumerable.Range(0, run.Streams).Select(stream => ServeDeviceAsync(vds, stream, DeviceName(set, stream), tally))]);
        }
        else
        {
            tally.RunStreams(run.Streams, stream => ServeDevice(vds, DeviceName(set, stream), tally));
        }

        var elapsed = clock.Elapsed;
        var close = vds.Close();
        if (tally.Failure is { } failure)
        {
            throw new IOException(failure);
        }

        Check(close, "Close");
        return new ThroughputMeasurement(elapsed, tally.Bytes, tally.Checksum);
    }

    private static void ServeDevice(ClientVirtualDeviceSet vds, string name, ConsumerTally tally)
    {
        Check(vds.OpenDevice(name, out var device), $"OpenDevice({name})");
        var stream = new StreamTally();
        while (true)
        {
            var result = device!.GetCommand(VdiTimeout.Infinite, out var command);
            if (result == VdiResult.VD_E_CLOSE)
            {
                break;
            }

            Check(result, $"GetCommand on {name}");
            Check(device.CompleteCommand(command!, Win32Error.ERROR_SUCCESS, stream.Take(command!), 0), $"CompleteCommand on {name}");
        }

        tally.Add(stream.Bytes, stream.Checksum);
    }

    /// <summary>
    /// <see cref="ServeDevice"/> with asynchronous waits: the loops of all devices are continued by the set's one
    /// doorbell waiter (the transport's wait under <c>VirtualDevice.GetCommandAsync</c>), so no device has a thread.
    /// </summary>
    private static async Task ServeDeviceAsync(ClientVirtualDeviceSet vds, int index, string name, ConsumerTally tally)
    {
        try
        {
            Check(vds.OpenDevice(name, out var opened), $"OpenDevice({name})");
            var device = (ClientVirtualDevice)opened!;
            var stream = new StreamTally();
            while (true)
            {
                var (result, command) = await device.GetCommandAsync(CancellationToken.None).ConfigureAwait(false);
                if (result == VdiResult.VD_E_CLOSE)
                {
                    break;
                }

                Check(result, $"GetCommand on {name}");
                Check(device.CompleteCommand(command!, Win32Error.ERROR_SUCCESS, stream.Take(command!), 0), $"CompleteCommand on {name}");
            }

            tally.Add(stream.Bytes, stream.Checksum);
        }
        catch (VdiException e)
        {
            // As the threads of RunStreams do: the first failure is the run's.
            tally.Fail($"stream {index}: {e.Message}");
        }
    }

    /// <summary>What one device's consumer does with each command, and its totals.</summary>
    private sealed class StreamTally
    {
        public long Bytes { get; private set; }

        public ulong Checksum { get; private set; }

        /// <summary>Reads a VDC_Write's bytes in place, where the server wrote them; returns the bytes to report as transferred.</summary>
        public uint Take(VdcCommand command)
        {
            if (command.CommandCode != VdCommandCode.VDC_Write)
            {
                return 0;
            }

            Checksum += Bench.Checksum.Of(command.Data);
            Bytes += command.Size;
            return command.Size;
        }
    }

    /// <summary>The server's side: opens the set and streams every device's share of the source into its buffers.</summary>
    public void Produce(ThroughputCase run, string endpoint, SourceData source, Action connected)
    {
        string set = endpoint;
        var options = new StreamingOptions
        {
            BlockSize = 65536,
            MaxTransferSize = (uint)run.TransferSize,
            BufferCount = (uint)run.BufferCount,
            OpenTimeout = TimeSpan.FromSeconds(30),

            // Each device's producer copies its own chunks from a read-only source: nothing is shared, so the copies
            // of several devices can run in parallel, as SQL Server's do.
            ParallelDevices = run.TransferSize >= ThreadPerDeviceFrom,
        };
        var others = Enumerable.Range(1, run.Streams - 1).Select(d => DeviceName(set, d)).ToArray();
        using var server = StreamingServer.Open(null, set, VdFeatures.VDF_WriteMedia, options, others);
        connected();
        // Each device's cursor a cache line apart from the next: the devices' producers run on threads of their own.
        const int Stride = 8;
        var next = new long[run.Streams * Stride];
        var sent = new long[run.Streams * Stride];
        for (int s = 0; s < run.Streams; s++)
        {
            next[s * Stride] = source.FirstChunk(s, run.Streams, run.TransferSize);
        }

        long chunks = run.ChunksPerStream;
        var result = server.RunBackup((device, buffer) =>
        {
            int at = device * Stride;
            if (sent[at] == chunks)
            {
                return 0;
            }

            // The producer's one copy: from the source into the shared buffer.
            source.Chunk(next[at]++, run.TransferSize).CopyTo(buffer);
            sent[at]++;
            return run.TransferSize;
        });
        if (!result.Succeeded)
        {
            throw new IOException($"The server's BACKUP failed: {result.Failure}");
        }
    }

    internal static void Check(VdiResult result, string call)
    {
        if (result != VdiResult.NOERROR)
        {
            throw new VdiException(result, $"{call} answered {result}.");
        }
    }
}
