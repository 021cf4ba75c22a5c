using System.Globalization;
using OpenVdi.Cli.Client;

namespace OpenVdi.Cli.Output;

/// <summary>A transfer's progress in words: a bar for a terminal, a plain line for a log.</summary>
internal static class ProgressText
{
    /// <summary><c>backup  [########------------]  40%  1.5 GiB of ~3.8 GiB  250.3 MB/s  0:12 left</c>, at most <paramref name="width"/> columns.</summary>
    public static string Bar(TransferProgress progress, int width)
    {
        string figures = Figures(progress);
        string head = progress.Operation + "  ";
        int room = width - head.Length - figures.Length - 4;
        if (progress.Fraction is not { } fraction || room < 10)
        {
            string line = head + figures;
            return line.Length <= width ? line : line[..width];
        }

        int cells = Math.Min(room, 40);
        int done = (int)Math.Round(fraction * cells);
        return $"{head}[{new string('#', done)}{new string('-', cells - done)}]  {figures}";
    }

    /// <summary><c>backup: 40%, 1.5 GiB of ~3.8 GiB, 250.3 MB/s, 0:12 left</c>.</summary>
    public static string Line(TransferProgress progress) => $"{progress.Operation}: {Figures(progress).Replace("  ", ", ", StringComparison.Ordinal)}";

    private static string Figures(TransferProgress progress)
    {
        var parts = new List<string>();
        if (progress.Fraction is { } fraction)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{fraction * 100,3:0}%"));
        }

        parts.Add(progress.TotalBytes is { } total
            ? $"{ByteSize.Format(progress.Bytes)} of {(progress.TotalIsEstimate ? "~" : string.Empty)}{ByteSize.Format(total)}"
            : ByteSize.Format(progress.Bytes));
        parts.Add(ByteSize.Rate(progress.Bytes, progress.Elapsed));
        if (progress.Remaining is { } remaining && progress.Fraction < 1)
        {
            parts.Add($"{Clock(remaining)} left");
        }

        return string.Join("  ", parts);
    }

    private static string Clock(TimeSpan time) => time.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalHours}:{time.Minutes:00}:{time.Seconds:00}")
        : string.Create(CultureInfo.InvariantCulture, $"{time.Minutes}:{time.Seconds:00}");
}
