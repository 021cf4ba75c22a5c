using Microsoft.Extensions.Logging;

namespace OpenVdi.Engine.Tests.FrontDoor.Infrastructure;

/// <summary>The daemon's logger for tests: each event a line, <c>Level text</c>, on a writer (a <see cref="LogWatcher"/>).</summary>
public sealed class TextWriterLogger(TextWriter writer) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (writer)
        {
            writer.WriteLine($"{logLevel} {formatter(state, exception)}");
        }
    }
}
