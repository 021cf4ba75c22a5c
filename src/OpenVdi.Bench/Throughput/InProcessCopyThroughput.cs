using System.Diagnostics;

namespace OpenVdi.Bench.Throughput;

/// <summary>
/// The limit, in one process: per stream, a producer thread copies each chunk once from the source into a ring of
/// buffers (the same share of <see cref="ThroughputCase.BufferCount"/> a device gets from OpenVdi) and a consumer
/// thread checksums it in place. Nothing crosses a process; the hand-off is a pair of semaphores. A zero-copy
/// transport does the same work plus its protocol, so this is what it can at best approach.
/// </summary>
internal static class InProcessCopyThroughput
{
    public static ThroughputMeasurement Run(ThroughputCase run, SourceData source)
    {
        int window = Math.Max(1, run.BufferCount / run.Streams);
        var rings = new Ring[run.Streams];
        for (int s = 0; s < run.Streams; s++)
        {
            rings[s] = new Ring(window, run.TransferSize);
        }

        var tally = new ConsumerTally();
        var producers = new Thread[run.Streams];
        var clock = Stopwatch.StartNew();
        for (int s = 0; s < run.Streams; s++)
        {
            int stream = s;
            producers[s] = new Thread(() => Produce(rings[stream], source, run, stream)) { IsBackground = true, Name = $"bench producer {s}" };
            producers[s].Start();
        }

        tally.RunStreams(run.Streams, s =>
        {
            var ring = rings[s];
            ulong checksum = 0;
            for (long k = 0; k < run.ChunksPerStream; k++)
            {
                ring.Full.Wait();
                checksum += Checksum.Of(ring.Buffers[k % ring.Buffers.Length]);
                ring.Free.Release();
            }

            tally.Add(run.ChunksPerStream * run.TransferSize, checksum);
        });
        var elapsed = clock.Elapsed;
        foreach (var producer in producers)
        {
            producer.Join();
        }

        foreach (var ring in rings)
        {
            ring.Dispose();
        }

        return new ThroughputMeasurement(elapsed, tally.Bytes, tally.Checksum);
    }

    private static void Produce(Ring ring, SourceData source, ThroughputCase run, int stream)
    {
        long next = source.FirstChunk(stream, run.Streams, run.TransferSize);
        for (long k = 0; k < run.ChunksPerStream; k++)
        {
            ring.Free.Wait();
            source.Chunk(next++, run.TransferSize).CopyTo(ring.Buffers[k % ring.Buffers.Length]);
            ring.Full.Release();
        }
    }

    private sealed class Ring : IDisposable
    {
        public Ring(int window, int transfer)
        {
            Buffers = new byte[window][];
            for (int i = 0; i < window; i++)
            {
                // Touched once here, as OpenVdi pre-faults its buffer area: no page faults inside the timed run.
                Buffers[i] = GC.AllocateArray<byte>(transfer, pinned: true);
                Buffers[i].AsSpan().Fill(1);
            }

            Free = new SemaphoreSlim(window);
        }

        public byte[][] Buffers { get; }

        public SemaphoreSlim Free { get; }

        public SemaphoreSlim Full { get; } = new(0);

        public void Dispose()
        {
            Free.Dispose();
            Full.Dispose();
        }
    }
}
