using System.Globalization;

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
    /// <returns>Null with the size, or the reason it is not one in [<paramref name="min"/>, <paramref name="max"/>].</returns>
    public static string? TryParse(string text, long min, long max, out long bytes)
    {
        bytes = 0;
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
            return $"takes a size such as 4096, 64KiB, 256MiB or 1GiB, not '{text}'";
        }

        decimal exact = number * factor;
        if (exact != decimal.Truncate(exact) || exact < min || exact > max)
        {
            return $"must be a whole number of bytes from {Format(min)} to {Format(max)}, not '{text}'";
        }

        bytes = (long)exact;
        return null;
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
