namespace OpenVdi.Bench.Throughput;

/// <summary>The two loops of the stream-based transports (pipe, socket): the same for both, so only the kernel object differs.</summary>
internal static class StreamTransfer
{
    /// <summary>The consumer's timed part: every stream drained on its own thread, from now to the last byte.</summary>
    /// <exception cref="IOException">A stream failed or ended inside a transfer.</exception>
    public static ThroughputMeasurement DrainAll(IReadOnlyList<Stream> streams, int transfer)
    {
        var tally = new ConsumerTally();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        tally.RunStreams(streams.Count, s =>
        {
            var (bytes, checksum) = Drain(streams[s], transfer);
            tally.Add(bytes, checksum);
        });
        var elapsed = clock.Elapsed;
        return tally.Failure is { } failure ? throw new IOException(failure) : new ThroughputMeasurement(elapsed, tally.Bytes, tally.Checksum);
    }

    /// <summary>The producer's part: every stream filled on its own thread, then ended with <paramref name="end"/>.</summary>
    /// <exception cref="IOException">A stream failed.</exception>
    public static void FillAll<T>(IReadOnlyList<T> streams, SourceData source, ThroughputCase run, Action<T> end)
        where T : Stream
    {
        var tally = new ConsumerTally();
        tally.RunStreams(streams.Count, s =>
        {
            Fill(streams[s], source, run, s);
            end(streams[s]);
        });
        if (tally.Failure is { } failure)
        {
            throw new IOException(failure);
        }
    }

    /// <summary>Reads whole transfers until end of stream, checksumming each in the one buffer it was read into.</summary>
    /// <exception cref="IOException">The stream ended inside a transfer.</exception>
    public static (long Bytes, ulong Checksum) Drain(Stream stream, int transfer)
    {
        // The consumer's own buffer, reused: the kernel copies into it, then it is read in place like a VDI buffer.
        var buffer = GC.AllocateUninitializedArray<byte>(transfer, pinned: true);
        long bytes = 0;
        ulong checksum = 0;
        while (true)
        {
            int filled = 0;
            while (filled < transfer)
            {
                int n = stream.Read(buffer.AsSpan(filled));
                if (n == 0)
                {
                    break;
                }

                filled += n;
            }

            if (filled == 0)
            {
                return (bytes, checksum);
            }

            if (filled < transfer)
            {
                throw new IOException($"The stream ended {filled} bytes into a transfer of {transfer}.");
            }

            checksum += Checksum.Of(buffer);
            bytes += transfer;
        }
    }

    /// <summary>Writes stream <paramref name="stream"/>'s chunks straight from the source: the kernel's copy is the producer's one copy.</summary>
    public static void Fill(Stream output, SourceData source, ThroughputCase run, int stream)
    {
        long next = source.FirstChunk(stream, run.Streams, run.TransferSize);
        for (long k = 0; k < run.ChunksPerStream; k++)
        {
            output.Write(source.Chunk(next++, run.TransferSize));
        }
    }
}
