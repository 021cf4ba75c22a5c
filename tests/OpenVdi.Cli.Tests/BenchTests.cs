using System.Diagnostics;
using System.Globalization;
using OpenVdi.Bench;
using OpenVdi.Bench.Report;
using OpenVdi.Cli.Commands;
using OpenVdi.Cli.Tests.Infrastructure;

namespace OpenVdi.Cli.Tests;

/// <summary>
/// 'vdi bench' measures what it says and checks what it carried. These tests assert the harness, never a figure:
/// a benchmark is not a timed test.
/// </summary>
public sealed class BenchTests
{
    private const int SmallSource = 8 << 20;

    [Fact]
    public void The_expected_checksum_is_the_sum_over_every_chunk_each_stream_carries()
    {
        var source = new SourceData(SmallSource);
        const int transfer = 1 << 20;
        foreach (int streams in new[] { 1, 3, 4 })
        {
            // 20 chunks a stream over an 8-chunk source: two whole laps and a part, from each stream's own start.
            const long chunks = 20;
            ulong walked = 0;
            for (int s = 0; s < streams; s++)
            {
                long first = source.FirstChunk(s, streams, transfer);
                for (long k = 0; k < chunks; k++)
                {
                    walked += Checksum.Of(source.Chunk(first + k, transfer));
                }
            }

            Assert.Equal(walked, source.ExpectedChecksum(streams, chunks, transfer));
        }
    }

    [Fact]
    public void The_checksum_reads_every_word()
    {
        var data = new byte[4096 + 8];
        ulong before = Checksum.Of(data);
        data[^1] = 1;
        ulong lastWord = Checksum.Of(data);
        data[100] = 7;
        Assert.NotEqual(before, lastWord);
        Assert.NotEqual(lastWord, Checksum.Of(data));
    }

    [Fact]
    public void Ratios_are_taken_round_by_round_and_their_median_reported()
    {
        var openVdi = new BenchFigure("throughput", "64 KiB × 1", TransportKind.OpenVdi, higherIsBetter: true);
        var socket = new BenchFigure("throughput", "64 KiB × 1", TransportKind.UnixSocket, higherIsBetter: true);

        // The machine slows down in round 2 for both: the per-round ratios stay 2, 2, 3.
        foreach (var (ours, theirs) in new[] { (4.0, 2.0), (1.0, 0.5), (6.0, 2.0) })
        {
            openVdi.Add(ours);
            socket.Add(theirs);
        }

        Assert.Equal(4.0, openVdi.Median);
        Assert.Equal(2.0, socket.OpenVdiRatio(openVdi));

        var latency = new BenchFigure("latency", "round trip, 1 in flight", TransportKind.OpenVdi, higherIsBetter: false);
        var pipe = new BenchFigure("latency", "round trip, 1 in flight", TransportKind.Pipe, higherIsBetter: false);
        latency.Add(10);
        pipe.Add(15);
        Assert.Equal(1.5, pipe.OpenVdiRatio(latency));
    }

    [Fact(Timeout = 240_000)]
    public async Task A_small_run_measures_every_transport_in_every_row_with_the_bytes_checked()
    {
        var plan = new BenchPlan
        {
            Rounds = 2,
            Bytes = 16L << 20,
            SourceBytes = SmallSource,
            RoundTrips = 200,
            PipelinedCommands = 2_000,
        };
        var progress = new StringWriter();
        var segmentsBefore = OpenVdiSegments();

        // On a thread of its own, so that the timeout can fail a run that hangs instead of hanging the suite.
        var results = await Task.Run(new BenchRunner(plan, PeerStart, progress).Run);

        // 2 sizes × 2 stream counts × 4 transports, and 2 latency shapes × the 3 two-process transports.
        Assert.Equal(16, results.Figures.Count(f => f.Section == BenchRunner.ThroughputSection));
        Assert.Equal(6, results.Figures.Count(f => f.Section == BenchRunner.LatencySection));
        Assert.All(results.Figures, f => Assert.Equal(2, f.Rounds.Count));
        Assert.All(results.Figures, f => Assert.All(f.Rounds, r => Assert.True(r > 0 && double.IsFinite(r), $"{f.Transport} {f.Row}: {r}")));

        string table = BenchTable.Format(results);
        Assert.Contains("64 KiB × 4", table, StringComparison.Ordinal);
        Assert.Contains("per command, 64 in flight", table, StringComparison.Ordinal);
        Assert.Contains("×)", table, StringComparison.Ordinal);

        using var json = new MemoryStream();
        BenchJson.Write(results, json);
        using var document = System.Text.Json.JsonDocument.Parse(json.ToArray());
        Assert.Equal(22, document.RootElement.GetProperty("figures").GetArrayLength());
        Assert.Equal(segmentsBefore, OpenVdiSegments());
    }

    [Fact(Timeout = 60_000)]
    public async Task A_peer_that_cannot_start_fails_the_bench_with_its_own_words()
    {
        var plan = new BenchPlan { Rounds = 1, Bytes = 16L << 20, SourceBytes = SmallSource };

        // The peer refuses its arguments and exits: the bench must say so, not wait for it.
        var runner = new BenchRunner(plan, _ => PeerStartWith("--no-such-option"), TextWriter.Null);

        var failure = await Assert.ThrowsAsync<IOException>(() => Task.Run(runner.Run));
        Assert.Contains("peer exited with code 2", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Unrecognized command or argument '--no-such-option'", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_options_are_usage_errors()
    {
        var bytes = Vdi.Run("bench", "--bytes", "5MiB");
        Assert.Equal(2, bytes.Code);
        Assert.Contains("--bytes must be a multiple of 4 MiB, not 5 MiB", bytes.Error, StringComparison.Ordinal);
        Assert.Equal(2, Vdi.Run("bench", "--rounds", "0").Code);
    }

    [Fact(Timeout = 120_000)]
    public async Task The_command_takes_its_defaults_for_what_it_is_not_told()
    {
        // --quick's 512 MiB runs, through the one transport that needs no peer, so the test stays short.
        var (code, output, error) = await Vdi.RunAsync("bench", "--quick", "--rounds", "1", "--source", "64MiB", "--transports", "in-process-copy");

        Assert.True(code == 0, error);
        Assert.Contains("512 MiB per run from a 64 MiB source", output, StringComparison.Ordinal);
        Assert.Contains("1 MiB × 4", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Latency", output, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_transport_is_a_usage_error_that_lists_the_transports()
    {
        var (code, _, error) = Vdi.Run("bench", "--transports", "openvdi,carrier-pigeon");
        Assert.Equal(2, code);
        Assert.Contains("openvdi, pipe, unix-socket, in-process-copy and drop-in", error, StringComparison.Ordinal);
    }

    private static ProcessStartInfo PeerStart(int sourceBytes) =>
        PeerStartWith("--source", sourceBytes.ToString(CultureInfo.InvariantCulture));

    private static ProcessStartInfo PeerStartWith(params string[] arguments)
    {
        // The peer is the real tool: 'dotnet vdi.dll bench-peer …', as 'vdi bench' starts it.
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet");
        start.ArgumentList.Add(typeof(BenchPeerCommand).Assembly.Location);
        start.ArgumentList.Add(BenchPeerCommand.CommandName);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private static string[] OpenVdiSegments() =>
        Directory.GetFiles("/dev/shm", "openvdi.*").Where(f => f.Contains("openvdi-bench-", StringComparison.Ordinal)).Order().ToArray();
}
