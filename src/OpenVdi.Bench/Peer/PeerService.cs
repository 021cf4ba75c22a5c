using System.Globalization;

namespace OpenVdi.Bench.Peer;

/// <summary>
/// The bench's second process: the producer of every throughput run and the server of every latency run, driven by
/// <see cref="PeerRequests"/> lines on standard input until <c>quit</c> or end of input. Makes the same source as the
/// bench, once, before it says <c>ready</c>.
/// </summary>
internal static class PeerService
{
    /// <summary>Serves requests; returns the process exit code.</summary>
    public static int Run(TextReader input, TextWriter output, int sourceBytes)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var source = new SourceData(sourceBytes);
        Say(output, PeerRequests.Ready);
        while (input.ReadLine() is { } line && line != PeerRequests.Quit)
        {
            try
            {
                var (throughput, latency, endpoint) = PeerRequests.Parse(line);
                if (throughput is not null)
                {
                    Transports.Throughput(throughput.Transport).Produce(throughput, endpoint, source, () => Say(output, PeerRequests.Connected));
                    Say(output, PeerRequests.Done);
                }
                else
                {
                    var elapsed = Transports.Latency(latency!.Transport).Ping(latency, endpoint, () => Say(output, PeerRequests.Connected));
                    Say(output, string.Create(CultureInfo.InvariantCulture, $"{PeerRequests.Done} {elapsed.Ticks}"));
                }
            }
            catch (Exception e) when (e is IOException or FormatException or VdiException or System.Net.Sockets.SocketException or ArgumentException)
            {
                Say(output, $"{PeerRequests.Error} {e.Message.ReplaceLineEndings(" ")}");
            }
        }

        return 0;
    }

    private static void Say(TextWriter output, string line)
    {
        lock (output)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}
