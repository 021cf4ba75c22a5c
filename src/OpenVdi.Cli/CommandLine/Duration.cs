using System.Globalization;

namespace OpenVdi.Cli.CommandLine;

/// <summary>Durations on the command line: <c>500ms</c>, <c>5s</c>, <c>2m</c>, <c>1h</c>, <c>1.5s</c>; a number alone is seconds.</summary>
internal static class Duration
{
    private static readonly (string Suffix, double Seconds)[] s_units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];

    /// <summary>Parses a duration.</summary>
    /// <returns>Null with the duration, or the reason it is not one in [<paramref name="min"/>, <paramref name="max"/>].</returns>
    public static string? TryParse(string text, TimeSpan min, TimeSpan max, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        string trimmed = text.Trim();
        double factor = 1;
        foreach (var (suffix, seconds) in s_units)
        {
            if (trimmed.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                trimmed = trimmed[..^suffix.Length].TrimEnd();
                factor = seconds;
                break;
            }
        }

        if (!double.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number) || !double.IsFinite(number))
        {
            return $"takes a duration such as 500ms, 5s, 2m or 1h, not '{text}'";
        }

        var value = TimeSpan.FromSeconds(number * factor);
        if (value < min || value > max)
        {
            return $"must be from {Format(min)} to {Format(max)}, not '{text}'";
        }

        duration = value;
        return null;
    }

    /// <summary>A duration as the command line takes it: <c>500ms</c>, <c>5s</c>, <c>2m</c>, <c>1h</c>.</summary>
    public static string Format(TimeSpan value) => value switch
    {
        { TotalSeconds: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0}ms"),
        { TotalMinutes: < 1 } or { Seconds: not 0 } => string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0.###}s"),
        { TotalHours: < 1 } or { Minutes: not 0 } => string.Create(CultureInfo.InvariantCulture, $"{value.TotalMinutes:0}m"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{value.TotalHours:0}h"),
    };
}
