using System.Globalization;
using Microsoft.Extensions.Logging;
using OpenVdi.Cli.Client;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Messages;

namespace OpenVdi.Cli.Output;

/// <summary>
/// Output for people: lines on standard output, errors on standard error, the engine's messages as sqlcmd prints
/// them, and progress on standard error: a bar redrawn in place on a terminal, a plain line every few seconds when
/// redirected, nothing with <c>--quiet</c> (which also leaves out information: errors and result sets only).
/// </summary>
internal sealed class HumanOutput : CommandOutput
{
    private static readonly TimeSpan s_barInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan s_lineInterval = TimeSpan.FromSeconds(5);

    private readonly CliTerminal _terminal;
    private readonly bool _quiet;
    private readonly ConsoleStatementSink _messages;
    private readonly Lock _lock = new();
    private readonly bool _journal = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("JOURNAL_STREAM"));
    private string? _bar;

    public HumanOutput(string command, CliTerminal terminal, bool quiet)
        : base(command)
    {
        _terminal = terminal;
        _quiet = quiet;
        _messages = new ConsoleStatementSink(terminal.Output, terminal.Error, quiet: quiet);
    }

    protected override TimeSpan? ProgressInterval => _quiet ? null : _terminal.ErrorIsTerminal ? s_barInterval : s_lineInterval;

    public override void Info(string text)
    {
        if (!_quiet)
        {
            Write(() => _terminal.Output.WriteLine(text));
        }
    }

    /// <summary>
    /// A log line: UTC time, level, text; under systemd (<c>JOURNAL_STREAM</c> set) the level as a <c>&lt;N&gt;</c>
    /// syslog prefix instead, as journald reads it and stamps the time itself.
    /// </summary>
    public override void Log(LogLevel level, string text)
    {
        string line = _journal
            ? string.Create(CultureInfo.InvariantCulture, $"<{LogLevels.SyslogPriority(level)}>{text}")
            : string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {LogLevels.Name(level),-5} {text}");
        Write(() => _terminal.Output.WriteLine(line));
    }

    protected override void WriteMessage(SqlMessage message) => Write(() => _messages.OnMessage(message));

    protected override void WriteResultSet(ResultSet resultSet) => Write(() => _messages.OnResultSet(resultSet));

    protected override void WriteProgress(TransferProgress progress)
    {
        lock (_lock)
        {
            if (_terminal.ErrorIsTerminal)
            {
                _bar = ProgressText.Bar(progress, _terminal.Width - 1);
                _terminal.Error.Write("\r" + _bar + "\u001b[K");
            }
            else
            {
                _terminal.Error.WriteLine(ProgressText.Line(progress));
            }

            _terminal.Error.Flush();
        }
    }

    protected override void ClearProgress()
    {
        lock (_lock)
        {
            if (_bar is not null)
            {
                _terminal.Error.Write("\r\u001b[K");
                _terminal.Error.Flush();
                _bar = null;
            }
        }
    }

    protected override void WriteResult(CommandResult result)
    {
        if (result.Succeeded)
        {
            Info(result.Text);
        }
        else
        {
            Write(() => _terminal.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"vdi {Command}: {result.Text}")));
        }

    }

    /// <summary>Writes lines with the bar taken off the screen first and put back after, so they never mix.</summary>
    private void Write(Action write)
    {
        lock (_lock)
        {
            if (_bar is not null)
            {
                _terminal.Error.Write("\r\u001b[K");
            }

            write();
            _terminal.Output.Flush();
            if (_bar is not null)
            {
                _terminal.Error.Write(_bar);
                _terminal.Error.Flush();
            }
        }
    }
}
