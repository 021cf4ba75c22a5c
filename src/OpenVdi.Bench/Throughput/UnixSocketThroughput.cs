using System.Net.Sockets;

namespace OpenVdi.Bench.Throughput;

/// <summary>
/// One Unix domain stream socket per stream between the two processes, with the kernel's default buffer sizes: what
/// a .NET developer gets from a NamedPipeServerStream/NamedPipeClientStream pair on Linux.
/// </summary>
internal sealed class UnixSocketThroughput : IThroughputTransport
{
    public static UnixSocketThroughput Instance { get; } = new();

    public ThroughputMeasurement Consume(ThroughputCase run, string endpoint, IProducerLink producer, CancellationToken abort)
    {
        var streams = new NetworkStream[run.Streams];
        try
        {
            using (var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                listener.Bind(new UnixDomainSocketEndPoint(endpoint));
                listener.Listen(run.Streams);
                producer.Start();
                for (int s = 0; s < run.Streams; s++)
                {
                    streams[s] = new NetworkStream(listener.AcceptAsync(abort).AsTask().GetAwaiter().GetResult(), ownsSocket: true);
                }
            }

            return StreamTransfer.DrainAll(streams, run.TransferSize);
        }
        finally
        {
            foreach (var stream in streams)
            {
                stream?.Dispose();
            }

            File.Delete(endpoint);
        }
    }

    public void Produce(ThroughputCase run, string endpoint, SourceData source, Action connected)
    {
        var streams = new NetworkStream[run.Streams];
        try
        {
            for (int s = 0; s < run.Streams; s++)
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                socket.Connect(new UnixDomainSocketEndPoint(endpoint));
                streams[s] = new NetworkStream(socket, ownsSocket: true);
            }

            connected();
            StreamTransfer.FillAll(streams, source, run, stream => stream.Socket.Shutdown(SocketShutdown.Send));
        }
        finally
        {
            foreach (var stream in streams)
            {
                stream?.Dispose();
            }
        }
    }
}
