namespace OpenVdi.Bench.Report;

/// <summary>
/// One cell of the table: a transport's figure for one row, from every round. Throughput is in GB/s (higher is
/// better), latency in microseconds per command (lower is better).
/// </summary>
internal sealed class BenchFigure
{
    private readonly List<double> _rounds = [];

    public BenchFigure(string section, string row, TransportKind transport, bool higherIsBetter)
    {
        Section = section;
        Row = row;
        Transport = transport;
        HigherIsBetter = higherIsBetter;
    }

    /// <summary>"throughput" or "latency".</summary>
    public string Section { get; }

    /// <summary>The row's shape: "64 KiB × 4", "round trip, 1 in flight".</summary>
    public string Row { get; }

    public TransportKind Transport { get; }

    public bool HigherIsBetter { get; }

    /// <summary>The figure of each round, in the order measured.</summary>
    public IReadOnlyList<double> Rounds => _rounds;

    public void Add(double value) => _rounds.Add(value);

    /// <summary>The median over the rounds (the mean of the middle two for an even count).</summary>
    public double Median
    {
        get
        {
            var sorted = _rounds.Order().ToArray();
            int n = sorted.Length;
            return n == 0 ? double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
        }
    }

    /// <summary>
    /// How OpenVdi compares with this figure: OpenVdi's throughput ÷ this one's, or this one's time ÷ OpenVdi's.
    /// Above 1, OpenVdi is better by that factor; against the in-process copy, the fraction of the limit it reaches.
    /// </summary>
    public double OpenVdiRatio(BenchFigure openVdi)
    {
        ArgumentNullException.ThrowIfNull(openVdi);
        return HigherIsBetter ? openVdi.Median / Median : Median / openVdi.Median;
    }
}
