using System.Diagnostics;
using System.Globalization;
using OpenVdi.Bench.Peer;
using OpenVdi.Bench.Report;
using OpenVdi.Bench.Throughput;

namespace OpenVdi.Bench;

/// <summary>
/// Runs a <see cref="BenchPlan"/>: one peer process for the whole run (the producer and server side of every
/// two-process case), then round after round of every case, each round starting one transport further along so that
/// drift on a shared machine hits every transport alike. Every throughput run is checked: the consumer must have
/// seen every byte, with the checksum the source gives. A run that fails or overstays fails the bench.
/// </summary>
internal sealed class BenchRunner
{
    public const string ThroughputSection = "throughput";
    public const string LatencySection = "latency";

    private readonly BenchPlan _plan;
    private readonly Func<int, ProcessStartInfo> _peerStart;
    private readonly TextWriter _progress;
    private readonly Dictionary<(int Streams, long Chunks, int Transfer), ulong> _expected = [];
    private int _runs;

    /// <param name="plan">What to measure.</param>
    /// <param name="peerStart">How to start the peer process for a source of the given size (it runs <see cref="PeerService"/>).</param>
    /// <param name="progress">Where to say what runs (a line per round).</param>
    public BenchRunner(BenchPlan plan, Func<int, ProcessStartInfo> peerStart, TextWriter progress)
    {
        _plan = plan;
        _peerStart = peerStart;
        _progress = progress;
    }

    /// <exception cref="IOException">A run failed, ended early, carried wrong bytes, or overstayed.</exception>
    public BenchResults Run()
    {
        if (_plan.Transports.Contains(TransportKind.DropIn))
        {
            // Its library and client first: a missing one fails the bench before any run, not in the middle of one.
            DropIn.DropInClient.Prepare();
        }

        var results = new BenchResults(_plan);
        var source = new SourceData(_plan.SourceBytes);
        var work = Directory.CreateTempSubdirectory("openvdi-bench-");
        try
        {
            using var peer = PeerProcess.Start(_peerStart(_plan.SourceBytes), TimeSpan.FromSeconds(60));
            var throughput = _plan.ThroughputCases().ToList();
            var latency = _plan.LatencyCases().ToList();
            int transports = _plan.Transports.Count;
            int latencyTransports = _plan.Transports.Count(t => t != TransportKind.InProcessCopy);
            for (int round = 0; round < _plan.Rounds; round++)
            {
                _progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round + 1} of {_plan.Rounds}"));
                foreach (var run in Rotate(throughput, round, transports))
                {
                    var measured = MeasureThroughput(run, source, peer, work.FullName);
                    results.Figure(ThroughputSection, run.Shape, run.Transport, higherIsBetter: true).Add(measured.GigabytesPerSecond);
                }

                foreach (var run in Rotate(latency, round, latencyTransports))
                {
                    var elapsed = MeasureLatency(run, peer, work.FullName);
                    results.Figure(LatencySection, run.Shape, run.Transport, higherIsBetter: false).Add(elapsed.TotalMicroseconds / run.Count);
                }
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }

        return results;
    }

    /// <summary>The cases of each row (consecutive groups of <paramref name="group"/>), each group rotated by the round.</summary>
    private static IEnumerable<T> Rotate<T>(List<T> cases, int round, int group)
    {
        for (int start = 0; group > 0 && start < cases.Count; start += group)
        {
            for (int i = 0; i < group; i++)
            {
                yield return cases[start + ((i + round) % group)];
            }
        }
    }

    private ThroughputMeasurement MeasureThroughput(ThroughputCase run, SourceData source, PeerProcess peer, string work)
    {
        ThroughputMeasurement measured;
        if (run.Transport == TransportKind.InProcessCopy)
        {
            measured = InProcessCopyThroughput.Run(run, source);
        }
        else
        {
            string endpoint = Endpoint(run.Transport, work);
            using var request = peer.Prepare(PeerRequests.Throughput(run, endpoint), _plan.RunTimeout);
            using var abort = Watchdog(peer, request);
            ThroughputMeasurement consumed = default;
            Attributed($"{run.Transport.Display()} {run.Shape}", request, () => consumed = Transports.Throughput(run.Transport).Consume(run, endpoint, request, abort.Token));
            measured = consumed;
        }

        var key = (run.Streams, run.ChunksPerStream, run.TransferSize);
        if (!_expected.TryGetValue(key, out ulong expected))
        {
            expected = _expected[key] = source.ExpectedChecksum(run.Streams, run.ChunksPerStream, run.TransferSize);
        }

        if (measured.Bytes != run.CarriedBytes || measured.Checksum != expected)
        {
            throw new IOException(string.Create(CultureInfo.InvariantCulture,
                $"{run.Transport.Display()} {run.Shape}: the consumer saw {measured.Bytes:N0} bytes with checksum {measured.Checksum:X16}; the source sent {run.CarriedBytes:N0} with {expected:X16}."));
        }

        return measured;
    }

    private TimeSpan MeasureLatency(LatencyCase run, PeerProcess peer, string work)
    {
        string endpoint = Endpoint(run.Transport, work);
        using var request = peer.Prepare(PeerRequests.Latency(run, endpoint), _plan.RunTimeout);
        using var abort = Watchdog(peer, request);
        string ticks = Attributed($"{run.Transport.Display()} {run.Shape}", request, () => Transports.Latency(run.Transport).Answer(endpoint, request, abort.Token));
        return TimeSpan.FromTicks(long.Parse(ticks, NumberStyles.None, CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Runs the consumer's half, then waits for the peer's answer and returns what follows its <c>done</c>. A failure
    /// names the run and both halves' words: the consumer's failure is often only the echo of the peer's (an abort it
    /// signalled, a stream it closed).
    /// </summary>
    private static string Attributed(string run, PeerProcess.Request request, Action consume)
    {
        try
        {
            consume();
        }
        catch (Exception e) when (e is IOException or VdiException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            string peer;
            try
            {
                request.Finish();
                peer = "the peer finished normally";
            }
            catch (IOException p)
            {
                peer = p.Message;
            }

            throw new IOException($"{run}: {e.Message} ({peer})", e);
        }

        try
        {
            return request.Finish();
        }
        catch (IOException e)
        {
            throw new IOException($"{run}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Cancelled when the peer reports a failure, or when the run overstays: then the peer is killed, which ends every
    /// wait on its pipes and sockets, and the cancellation aborts a VDI set.
    /// </summary>
    private CancellationTokenSource Watchdog(PeerProcess peer, PeerProcess.Request request)
    {
        var abort = CancellationTokenSource.CreateLinkedTokenSource(request.Failed);
        abort.CancelAfter(_plan.RunTimeout);
        abort.Token.Register(() =>
        {
            if (!request.Failed.IsCancellationRequested)
            {
                peer.Kill();
            }
        });
        return abort;
    }

    private string Endpoint(TransportKind transport, string work)
    {
        int n = ++_runs;
        switch (transport)
        {
            case TransportKind.OpenVdi:
                return string.Create(CultureInfo.InvariantCulture, $"openvdi-bench-{Environment.ProcessId}-{n}");
            case TransportKind.UnixSocket:
                return Path.Combine(work, string.Create(CultureInfo.InvariantCulture, $"run-{n}.sock"));
            default:
                string directory = Path.Combine(work, string.Create(CultureInfo.InvariantCulture, $"run-{n}"));
                Directory.CreateDirectory(directory);
                return directory;
        }
    }
}
