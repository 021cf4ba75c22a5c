using System.Globalization;

namespace OpenVdi.Bench.Peer;

/// <summary>
/// The lines the bench sends its peer process on standard input, one request a line, and how the peer reads them.
/// The peer answers <c>ready</c> once at start, then per request <c>connected</c> (its end is open) and
/// <c>done [ticks]</c> or <c>error &lt;message&gt;</c>. The endpoint comes last, so a path may hold spaces.
/// </summary>
internal static class PeerRequests
{
    public const string Ready = "ready";
    public const string Connected = "connected";
    public const string Done = "done";
    public const string Error = "error";
    public const string Quit = "quit";

    public static string Throughput(ThroughputCase run, string endpoint) => string.Create(
        CultureInfo.InvariantCulture,
        $"throughput {run.Transport.Key()} {run.Streams} {run.TransferSize} {run.Bytes} {run.BufferCount} {endpoint}");

    public static string Latency(LatencyCase run, string endpoint) => string.Create(
        CultureInfo.InvariantCulture,
        $"latency {run.Transport.Key()} {run.InFlight} {run.Count} {endpoint}");

    /// <summary>Reads a request line back: its verb, and the case with its endpoint.</summary>
    /// <exception cref="FormatException">Not a request.</exception>
    public static (ThroughputCase? Throughput, LatencyCase? Latency, string Endpoint) Parse(string line)
    {
        var words = line.Split(' ', 7);
        static int Int(string s) => int.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);
        return words switch
        {
            ["throughput", var kind, var streams, var transfer, var bytes, var buffers, var endpoint] =>
                (new ThroughputCase(TransportKindNames.Parse(kind), Int(streams), Int(transfer), long.Parse(bytes, NumberStyles.None, CultureInfo.InvariantCulture), Int(buffers)), null, endpoint),
            ["latency", var kind, var inFlight, var count, .. var rest] when rest.Length > 0 =>
                (null, new LatencyCase(TransportKindNames.Parse(kind), Int(inFlight), Int(count)), string.Join(' ', rest)),
            _ => throw new FormatException($"Not a bench request: '{line}'."),
        };
    }
}
