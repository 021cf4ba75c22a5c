namespace OpenVdi.Bench;

/// <summary>What one <c>vdi bench</c> run measures, and how often.</summary>
internal sealed record BenchPlan
{
    /// <summary>Rounds; each figure is the median over them. Every round runs every case once, transports alternated.</summary>
    public int Rounds { get; init; } = 9;

    /// <summary>Bytes per throughput run, split over its streams.</summary>
    public long Bytes { get; init; } = 2L << 30;

    /// <summary>The size of the source the producer copies from (larger than the CPU caches).</summary>
    public int SourceBytes { get; init; } = SourceData.DefaultLength;

    /// <summary>Commands per latency run with one in flight.</summary>
    public int RoundTrips { get; init; } = 20_000;

    /// <summary>Commands per latency run with many in flight.</summary>
    public int PipelinedCommands { get; init; } = 200_000;

    /// <summary>How many commands the pipelined latency runs keep outstanding.</summary>
    public int InFlight { get; init; } = 64;

    /// <summary>The transfer sizes: VDI's default MAXTRANSFERSIZE (64 KiB) and the 1 MiB a tuned backup uses.</summary>
    public IReadOnlyList<int> TransferSizes { get; init; } = [64 << 10, 1 << 20];

    /// <summary>Streams (devices) per throughput run.</summary>
    public IReadOnlyList<int> StreamCounts { get; init; } = [1, 4];

    /// <summary>
    /// The transports, in the order the first round runs them. By default all but <see cref="TransportKind.DropIn"/>,
    /// which needs libsqlvdi.so built first and is asked for by name.
    /// </summary>
    public IReadOnlyList<TransportKind> Transports { get; init; } =
        [TransportKind.OpenVdi, TransportKind.Pipe, TransportKind.UnixSocket, TransportKind.InProcessCopy];

    /// <summary>How long one run may take before the bench kills its peer and fails.</summary>
    public TimeSpan RunTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary><c>--quick</c>: the same table in under a minute, from fewer and smaller runs.</summary>
    public static BenchPlan Quick { get; } = new()
    {
        Rounds = 5,
        Bytes = 512L << 20,
        RoundTrips = 5_000,
        PipelinedCommands = 50_000,
    };

    /// <summary>Every throughput case of one round, grouped by shape so that the transports of a row run back to back.</summary>
    public IEnumerable<ThroughputCase> ThroughputCases() =>
        from transfer in TransferSizes
        from streams in StreamCounts
        from transport in Transports
        select new ThroughputCase(transport, streams, transfer, Bytes, ThroughputCase.DefaultBufferCount(streams));

    /// <summary>Every latency case of one round.</summary>
    public IEnumerable<LatencyCase> LatencyCases() =>
        from shape in new[] { (InFlight: 1, Count: RoundTrips), (InFlight, Count: PipelinedCommands) }
        from transport in Transports
        where transport != TransportKind.InProcessCopy
        select new LatencyCase(transport, shape.InFlight, shape.Count);
}
