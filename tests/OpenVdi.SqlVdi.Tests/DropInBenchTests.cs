using System.Globalization;
using OpenVdi.Bench;
using OpenVdi.Bench.DropIn;
using OpenVdi.Bench.Report;
using OpenVdi.Cli.Client;
using OpenVdi.Cli.Commands;
using OpenVdi.SqlVdi.Tests.Infrastructure;

namespace OpenVdi.SqlVdi.Tests;

/// <summary>
/// 'vdi bench --transports openvdi,drop-in' measures a C++ client through the drop-in beside the managed client, on the
/// same bytes, checked. These tests assert the harness, never a figure: a benchmark is not a timed test.
/// </summary>
[Collection(SqlVdiCollection.Name)]
public sealed class DropInBenchTests(SqlVdiFixture fixture)
{
    private const int SmallSource = 8 << 20;

    [Fact(Timeout = 240_000)]
    public async Task A_small_run_measures_the_drop_in_beside_openvdi_in_every_row_with_the_bytes_checked()
    {
        var plan = new BenchPlan
        {
            Rounds = 2,
            Bytes = 16L << 20,
            SourceBytes = SmallSource,
            RoundTrips = 200,
            PipelinedCommands = 2_000,
            Transports = [TransportKind.OpenVdi, TransportKind.DropIn],
        };

        // The runner checks every run's bytes and checksum against the source, and throws on a mismatch.
        var results = await WithLibrary(fixture.Build.LibraryDirectory, () => Task.Run(new BenchRunner(plan, PeerStart, TextWriter.Null).Run));

        // 2 sizes × 2 stream counts, and 2 latency shapes, for each of the two.
        Assert.Equal(8, results.Figures.Count(f => f.Section == BenchRunner.ThroughputSection));
        Assert.Equal(4, results.Figures.Count(f => f.Section == BenchRunner.LatencySection));
        Assert.All(results.Figures, f => Assert.All(f.Rounds, r => Assert.True(r > 0 && double.IsFinite(r), $"{f.Transport} {f.Row}: {r}")));
        string table = BenchTable.Format(results);
        Assert.Contains("drop-in (C++)", table, StringComparison.Ordinal);
        Assert.Contains("1 MiB × 4", table, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Without_the_library_the_drop_in_fails_the_bench_with_how_to_build_it()
    {
        var plan = new BenchPlan { Rounds = 1, Bytes = 16L << 20, SourceBytes = SmallSource, TransferSizes = [1 << 20], StreamCounts = [1], Transports = [TransportKind.DropIn] };

        var failure = await WithLibrary(null, () => Assert.ThrowsAsync<IOException>(() => Task.Run(new BenchRunner(plan, PeerStart, TextWriter.Null).Run)));

        Assert.Contains(DropInClient.LibraryVariable, failure.Message, StringComparison.Ordinal);
        Assert.Contains("dotnet publish src/OpenVdi.SqlVdi", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>The peer is the real tool, 'vdi bench-peer', started as 'vdi bench' starts it.</summary>
    private static System.Diagnostics.ProcessStartInfo PeerStart(int sourceBytes) =>
        ThisExecutable.Start(BenchPeerCommand.CommandName, "--source", sourceBytes.ToString(CultureInfo.InvariantCulture));

    /// <summary>Runs <paramref name="body"/> with the drop-in's variable set to <paramref name="directory"/> (or unset).</summary>
    private static async Task<T> WithLibrary<T>(string? directory, Func<Task<T>> body)
    {
        string? before = Environment.GetEnvironmentVariable(DropInClient.LibraryVariable);
        Environment.SetEnvironmentVariable(DropInClient.LibraryVariable, directory);
        try
        {
            return await body();
        }
        finally
        {
            Environment.SetEnvironmentVariable(DropInClient.LibraryVariable, before);
        }
    }
}
