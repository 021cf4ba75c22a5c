using System.Net.Sockets;
using OpenVdi.Bench.Throughput;

namespace OpenVdi.Bench.Latency;

/// <summary>The ping-pong over one Unix domain stream socket, both ways.</summary>
internal sealed class UnixSocketLatency : ILatencyTransport
{
    public static UnixSocketLatency Instance { get; } = new();

    public void Answer(string endpoint, IProducerLink pinger, CancellationToken abort)
    {
        try
        {
            NetworkStream stream;
            using (var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                listener.Bind(new UnixDomainSocketEndPoint(endpoint));
                listener.Listen(1);
                pinger.Start();
                stream = new NetworkStream(listener.AcceptAsync(abort).AsTask().GetAwaiter().GetResult(), ownsSocket: true);
            }

            using (stream)
            {
                StreamPingPong.Answer(stream, stream);
            }
        }
        finally
        {
            File.Delete(endpoint);
        }
    }

    public TimeSpan Ping(LatencyCase run, string endpoint, Action connected)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(endpoint));
        using var stream = new NetworkStream(socket, ownsSocket: false);
        connected();
        return StreamPingPong.Ping(run, stream, stream);
    }
}
