using OpenVdi.Bench.Latency;
using OpenVdi.Bench.Throughput;

namespace OpenVdi.Bench.DropIn;

/// <summary>
/// Command latency to a C++ client through libsqlvdi.so: the peer's server is <see cref="OpenVdiLatency"/>'s, and
/// <c>drop_in_bench_client</c> answers every command at once, as OpenVdiLatency's managed client does.
/// </summary>
internal sealed class DropInLatency : ILatencyTransport
{
    public static DropInLatency Instance { get; } = new();

    public void Answer(string endpoint, IProducerLink pinger, CancellationToken abort)
    {
        using var client = DropInClient.Start("latency", endpoint);
        using var registration = abort.Register(client.Kill);
        var timeout = TimeSpan.FromMinutes(2);
        client.Expect("created", timeout);
        pinger.Start();
        client.Expect("done", timeout);
        abort.ThrowIfCancellationRequested();
    }

    public TimeSpan Ping(LatencyCase run, string endpoint, Action connected) => OpenVdiLatency.Instance.Ping(run, endpoint, connected);
}
