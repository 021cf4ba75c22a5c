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
    public double Median => MedianOf(_rounds);

    /// <summary>
    /// How OpenVdi compares with this figure: OpenVdi's throughput ÷ this one's, or this one's time ÷ OpenVdi's.
    /// Above 1, OpenVdi is better by that factor; against the in-process copy, the fraction of the limit it reaches.
    /// Taken round by round, between runs made minutes apart at most, then the median: on a shared machine whose
    /// speed drifts between rounds, that is steadier than the ratio of the two medians.
    /// </summary>
    public double OpenVdiRatio(BenchFigure openVdi)
    {
        ArgumentNullException.ThrowIfNull(openVdi);
        int n = Math.Min(_rounds.Count, openVdi._rounds.Count);
        var ratios = new double[n];
        for (int i = 0; i < n; i++)
        {
            ratios[i] = HigherIsBetter ? openVdi._rounds[i] / _rounds[i] : _rounds[i] / openVdi._rounds[i];
        }

        return MedianOf(ratios);
    }

    private static double MedianOf(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n == 0 ? double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }
}
