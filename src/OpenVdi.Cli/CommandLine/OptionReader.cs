using System.Globalization;

namespace OpenVdi.Cli.CommandLine;

/// <summary>
/// Reads a command's options in order: flags (<c>--quick</c>), options with a value (<c>--rounds 5</c>), and
/// options whose value may be left out (<c>--json [path]</c>). Anything else is a <see cref="UsageException"/>.
/// </summary>
internal sealed class OptionReader
{
    private readonly IReadOnlyList<string> _args;
    private int _next;

    public OptionReader(IReadOnlyList<string> args) => _args = args;

    /// <summary>The next option's name, or null at the end.</summary>
    public string? Next()
    {
        if (_next >= _args.Count)
        {
            return null;
        }

        string word = _args[_next++];
        return word.StartsWith("--", StringComparison.Ordinal) ? word : throw new UsageException($"unexpected '{word}'");
    }

    /// <summary>The value of the option just read.</summary>
    public string Value(string option) =>
        _next < _args.Count ? _args[_next++] : throw new UsageException($"{option} needs a value");

    /// <summary>The value of the option just read, if the next word is not another option.</summary>
    public string? OptionalValue() =>
        _next < _args.Count && !_args[_next].StartsWith("--", StringComparison.Ordinal) ? _args[_next++] : null;

    /// <summary>The value of the option just read, as a whole number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long Number(string option, long min, long max)
    {
        string text = Value(option);
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value >= min && value <= max
            ? value
            : throw new UsageException($"{option} takes a whole number from {min} to {max}, not '{text}'");
    }

    /// <summary>The value of the option just read, as a number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public double Real(string option, double min, double max)
    {
        string text = Value(option);
        return double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) && value >= min && value <= max
            ? value
            : throw new UsageException($"{option} takes a number from {min} to {max}, not '{text}'");
    }
}
