using OpenVdi.Bench.Interop;

namespace OpenVdi.Bench.Throughput;

/// <summary>
/// One FIFO per stream between the two processes, each raised to the transfer size (up to the system's pipe-max-size,
/// 1 MiB by default), so the kernel holds as much in flight as the other transports do.
/// </summary>
internal sealed class PipeThroughput : IThroughputTransport
{
    public static PipeThroughput Instance { get; } = new();

    private static string PathOf(string directory, int stream) => Path.Combine(directory, $"stream-{stream}");

    public ThroughputMeasurement Consume(ThroughputCase run, string endpoint, IProducerLink producer, CancellationToken abort)
    {
        var readers = new FileStream[run.Streams];
        try
        {
            for (int s = 0; s < run.Streams; s++)
            {
                Fifo.Create(PathOf(endpoint, s));
                readers[s] = Fifo.OpenReader(PathOf(endpoint, s));
            }

            producer.Start();
            producer.WaitConnected();
            return StreamTransfer.DrainAll(readers, run.TransferSize);
        }
        finally
        {
            foreach (var reader in readers)
            {
                reader?.Dispose();
            }

            for (int s = 0; s < run.Streams; s++)
            {
                File.Delete(PathOf(endpoint, s));
            }
        }
    }

    public void Produce(ThroughputCase run, string endpoint, SourceData source, Action connected)
    {
        var writers = new FileStream[run.Streams];
        try
        {
            for (int s = 0; s < run.Streams; s++)
            {
                writers[s] = Fifo.OpenWriter(PathOf(endpoint, s));
                Fifo.Resize(writers[s], run.TransferSize);
            }

            connected();
            StreamTransfer.FillAll(writers, source, run, writer => writer.Dispose());
        }
        finally
        {
            foreach (var writer in writers)
            {
                writer?.Dispose();
            }
        }
    }
}
