using System.Globalization;
using System.Text;

namespace OpenVdi.Bench.Report;

/// <summary>
/// The results as one table for a reader: a row per shape, a column per transport, each figure the median of the
/// rounds, and beside every other transport's figure how OpenVdi compares with it (see <see cref="BenchFigure.OpenVdiRatio"/>).
/// </summary>
internal static class BenchTable
{
    public static string Format(BenchResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var plan = results.Plan;
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"OpenVdi bench, {results.Started:yyyy-MM-dd HH:mm} UTC: {results.ProcessorCount} cores, {results.Runtime}, {results.OperatingSystem}");
        text.AppendLine(c, $"Medians of {plan.Rounds} rounds; the transports alternate within each round. (r×) is how OpenVdi compares, round by");
        text.AppendLine("round, then the median: its throughput ÷ the other's, or the other's time ÷ its own. Above 1 OpenVdi is better;");
        text.AppendLine("against the in-process copy it is the fraction of that limit OpenVdi reaches.");
        text.AppendLine();
        text.AppendLine(c, $"Throughput, GB/s: {ThroughputCase.SizeText(plan.Bytes)} per run from a {ThroughputCase.SizeText(plan.SourceBytes)} source; the consumer checksums every buffer in place.");
        Section(text, results, BenchRunner.ThroughputSection, "transfer × streams", "F2");
        if (!results.Rows(BenchRunner.LatencySection).Any())
        {
            return text.ToString();
        }

        text.AppendLine();
        text.AppendLine(c, $"Latency, µs per command: {plan.RoundTrips:N0} round trips with one in flight, {plan.PipelinedCommands:N0} commands with {plan.InFlight} in flight.");
        Section(text, results, BenchRunner.LatencySection, "command", "F2");
        return text.ToString();
    }

    private static void Section(StringBuilder text, BenchResults results, string section, string heading, string format)
    {
        var transports = results.Plan.Transports.Where(t => results.Rows(section).Any(r => results.Find(section, r, t) is not null)).ToList();
        var rows = results.Rows(section).ToList();
        List<string[]> cells = [[heading, .. transports.Select(t => t.Display())]];
        foreach (string row in rows)
        {
            var openVdi = results.Find(section, row, TransportKind.OpenVdi);
            cells.Add([row, .. transports.Select(t => Cell(results.Find(section, row, t), openVdi, format))]);
        }

        var widths = Enumerable.Range(0, cells[0].Length).Select(i => cells.Max(r => r[i].Length)).ToArray();
        foreach (var row in cells)
        {
            text.Append("  ");
            for (int i = 0; i < row.Length; i++)
            {
                text.Append(i == 0 ? row[i].PadRight(widths[i]) : row[i].PadLeft(widths[i]));
                text.Append(i + 1 < row.Length ? "   " : string.Empty);
            }

            text.AppendLine();
        }
    }

    private static string Cell(BenchFigure? figure, BenchFigure? openVdi, string format)
    {
        if (figure is null)
        {
            return "-";
        }

        string value = figure.Median.ToString(format, CultureInfo.InvariantCulture);
        return figure.Transport == TransportKind.OpenVdi || openVdi is null
            ? value
            : string.Create(CultureInfo.InvariantCulture, $"{value} ({figure.OpenVdiRatio(openVdi):F2}×)");
    }
}
