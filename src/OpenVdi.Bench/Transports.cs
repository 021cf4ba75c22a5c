using OpenVdi.Bench.DropIn;
using OpenVdi.Bench.Latency;
using OpenVdi.Bench.Throughput;

namespace OpenVdi.Bench;

/// <summary>The two-process transports by kind (the in-process copy has no second process, and no latency row).</summary>
internal static class Transports
{
    /// <summary>The throughput halves of <paramref name="kind"/>.</summary>
    public static IThroughputTransport Throughput(TransportKind kind) => kind switch
    {
        TransportKind.OpenVdi => OpenVdiThroughput.Instance,
        TransportKind.Pipe => PipeThroughput.Instance,
        TransportKind.UnixSocket => UnixSocketThroughput.Instance,
        TransportKind.DropIn => DropInThroughput.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "This transport runs in one process."),
    };

    /// <summary>The latency halves of <paramref name="kind"/>.</summary>
    public static ILatencyTransport Latency(TransportKind kind) => kind switch
    {
        TransportKind.OpenVdi => OpenVdiLatency.Instance,
        TransportKind.Pipe => PipeLatency.Instance,
        TransportKind.UnixSocket => UnixSocketLatency.Instance,
        TransportKind.DropIn => DropInLatency.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "This transport has no latency measurement."),
    };
}
