using Microsoft.Extensions.Logging;

namespace OpenVdi.Cli.Output;

/// <summary>
/// The engine daemon's <see cref="ILogger"/> in <c>vdi engine serve</c>: each event becomes a line of the command's
/// output (time, level and text for people, a <c>log</c> event with <c>--json</c>), in order with everything else the
/// command writes. Written here because the log must go through the same output as the command's own events.
/// </summary>
internal sealed class OutputLogger : ILogger
{
    private readonly CommandOutput _output;
    private readonly LogLevel _minimum;

    public OutputLogger(CommandOutput output, LogLevel minimum)
    {
        _output = output;
        _minimum = minimum;
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= _minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (IsEnabled(logLevel))
        {
            _output.Log(logLevel, exception is null ? formatter(state, exception) : $"{formatter(state, exception)}: {exception}");
        }
    }
}
