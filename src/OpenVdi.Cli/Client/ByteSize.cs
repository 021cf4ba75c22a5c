using System.Globalization;
using OpenVdi.Cli.CommandLine;

namespace OpenVdi.Cli.Client;

/// <summary>Sizes on the command line (<c>512</c>, <c>64KiB</c>, <c>1.5GiB</c>, binary multiples) and in output.</summary>
internal static class ByteSize
{
    private static readonly (string Suffix, long Factor)[] s_suffixes =
    [
        ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30), ("TiB", 1L << 40),
        ("K", 1L << 10), ("M", 1L << 20), ("G", 1L << 30), ("T", 1L << 40), ("B", 1),
    ];

    /// <summary>Parses a size; a number alone is bytes.</summary>
    /// <exception cref="UsageException">Not a size, or outside [<paramref name="min"/>, <paramref name="max"/>].</exception>
    public static long Parse(string option, string text, long min = 0, long max = long.MaxValue)
    {
        string trimmed = text.Trim();
        long factor = 1;
        foreach (var (suffix, value) in s_suffixes)
        {
            if (trimmed.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                trimmed = trimmed[..^suffix.Length].TrimEnd();
                factor = value;
                break;
            }
        }

        if (!decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal number)
            || number * factor > long.MaxValue)
        {
            throw new UsageException($"{option} takes a size such as 4096, 64KiB, 256MiB or 1GiB, not '{text}'");
        }

        decimal bytes = number * factor;
        if (bytes != decimal.Truncate(bytes) || bytes < min || bytes > max)
        {
            throw new UsageException($"{option} must be a whole number of bytes from {Format(min)} to {Format(max)}, not '{text}'");
        }

        return (long)bytes;
    }

    /// <summary>A size for people: <c>512 B</c>, <c>64 KiB</c>, <c>1.5 GiB</c>.</summary>
    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        double value = bytes;
        int unit = 0;
        while (Math.Abs(value) >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 || value == Math.Floor(value)
            ? string.Create(CultureInfo.InvariantCulture, $"{value:0} {units[unit]}")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.0#} {units[unit]}");
    }

    /// <summary>A rate in MB/s (10^6 bytes per second).</summary>
    public static string Rate(long bytes, TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $"{bytes / Math.Max(elapsed.TotalSeconds, 1e-6) / 1e6:0.0} MB/s");
}
