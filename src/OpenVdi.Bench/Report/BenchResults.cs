namespace OpenVdi.Bench.Report;

/// <summary>Everything one bench run measured, with what it ran on.</summary>
internal sealed class BenchResults
{
    private readonly List<BenchFigure> _figures = [];

    public BenchResults(BenchPlan plan) => Plan = plan;

    public BenchPlan Plan { get; }

    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;

    public int ProcessorCount { get; } = Environment.ProcessorCount;

    public string Runtime { get; } = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;

    public string OperatingSystem { get; } = System.Runtime.InteropServices.RuntimeInformation.OSDescription;

    public IReadOnlyList<BenchFigure> Figures => _figures;

    /// <summary>The figure of <paramref name="transport"/> in row <paramref name="row"/>, made on first use.</summary>
    public BenchFigure Figure(string section, string row, TransportKind transport, bool higherIsBetter)
    {
        var figure = _figures.FirstOrDefault(f => f.Section == section && f.Row == row && f.Transport == transport);
        if (figure is null)
        {
            figure = new BenchFigure(section, row, transport, higherIsBetter);
            _figures.Add(figure);
        }

        return figure;
    }

    /// <summary>The rows of <paramref name="section"/>, in the order first measured.</summary>
    public IEnumerable<string> Rows(string section) => _figures.Where(f => f.Section == section).Select(f => f.Row).Distinct();

    /// <summary>The cell of <paramref name="transport"/> in that row, or null.</summary>
    public BenchFigure? Find(string section, string row, TransportKind transport) =>
        _figures.FirstOrDefault(f => f.Section == section && f.Row == row && f.Transport == transport);
}
