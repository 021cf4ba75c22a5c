using System.Text;
using Microsoft.Extensions.Logging;

namespace OpenVdi.Cli.Output;

/// <summary>
/// A <see cref="TextWriter"/> whose lines go to an <see cref="ILogger"/> at one level: for a part of the engine that
/// logs to a writer (the TDS server), so its lines join the daemon's log with their time and level.
/// </summary>
internal sealed class LoggerWriter : TextWriter
{
    private readonly ILogger _logger;
    private readonly LogLevel _level;
    private readonly StringBuilder _line = new();

    public LoggerWriter(ILogger logger, LogLevel level)
    {
        _logger = logger;
        _level = level;
    }

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_line)
        {
            if (value == '\n')
            {
                FlushLineUnsynchronized();
            }
            else if (value != '\r')
            {
                _line.Append(value);
            }
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_line)
        {
            _line.Append(value);
            FlushLineUnsynchronized();
        }
    }

    private void FlushLineUnsynchronized()
    {
        string line = _line.ToString();
        _line.Clear();
#pragma warning disable CA1848, CA2254 // The line is the message: the engine formats its own lines.
        _logger.Log(_level, line);
#pragma warning restore CA1848, CA2254
    }
}
