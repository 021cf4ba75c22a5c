using OpenVdi.Bench.Interop;
using OpenVdi.Bench.Throughput;

namespace OpenVdi.Bench.Latency;

/// <summary>The ping-pong over two FIFOs: <c>commands</c> from the server, <c>completions</c> back.</summary>
internal sealed class PipeLatency : ILatencyTransport
{
    public static PipeLatency Instance { get; } = new();

    public void Answer(string endpoint, IProducerLink pinger, CancellationToken abort)
    {
        string commands = Path.Combine(endpoint, "commands");
        string completions = Path.Combine(endpoint, "completions");
        Fifo.Create(commands);
        Fifo.Create(completions);
        try
        {
            using var input = Fifo.OpenReader(commands);
            using var output = Fifo.OpenHeldWriter(completions);
            pinger.Start();
            pinger.WaitConnected();
            StreamPingPong.Answer(input, output);
        }
        finally
        {
            File.Delete(commands);
            File.Delete(completions);
        }
    }

    public TimeSpan Ping(LatencyCase run, string endpoint, Action connected)
    {
        using var output = Fifo.OpenWriter(Path.Combine(endpoint, "commands"));
        using var input = Fifo.OpenReader(Path.Combine(endpoint, "completions"));
        connected();
        return StreamPingPong.Ping(run, output, input);
    }
}
