using System.Globalization;
using OpenVdi.Bench.Throughput;
using OpenVdi.Engine.Devices;

namespace OpenVdi.Bench.DropIn;

/// <summary>
/// OpenVdi carrying a backup to a C++ client through libsqlvdi.so: the producer is OpenVdi's own (the peer's
/// StreamingServer BACKUP), and the consumer does what <see cref="OpenVdiThroughput"/>'s does, in
/// <c>drop_in_bench_client</c>. Set against the OpenVdi column, the ratio is the cost of the native layer.
/// </summary>
internal sealed class DropInThroughput : IThroughputTransport
{
    public static DropInThroughput Instance { get; } = new();

    public ThroughputMeasurement Consume(ThroughputCase run, string endpoint, IProducerLink producer, CancellationToken abort)
    {
        using var client = DropInClient.Start("throughput", endpoint, run.Streams.ToString(CultureInfo.InvariantCulture));

        // A stuck or dead producer must not hang the bench: killing the client ends the set (its creator died).
        using var registration = abort.Register(client.Kill);
        var timeout = TimeSpan.FromMinutes(2);
        client.Expect("created", timeout);
        producer.Start();
        string[] done = client.Expect("done", timeout).Split(' ');
        abort.ThrowIfCancellationRequested();
        return new ThroughputMeasurement(
            TimeSpan.FromTicks(long.Parse(done[2], NumberStyles.None, CultureInfo.InvariantCulture) / 100),
            long.Parse(done[0], NumberStyles.None, CultureInfo.InvariantCulture),
            ulong.Parse(done[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }

    /// <summary>The server's side is OpenVdi's, unchanged: the same bytes into the same buffers.</summary>
    public void Produce(ThroughputCase run, string endpoint, SourceData source, Action connected) =>
        OpenVdiThroughput.Instance.Produce(run, endpoint, source, connected);
}
