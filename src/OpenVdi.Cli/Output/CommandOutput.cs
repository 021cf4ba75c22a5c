using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Messages;

namespace OpenVdi.Cli.Output;

/// <summary>
/// Everything a command says, for people (<see cref="HumanOutput"/>) or for machines (<see cref="JsonOutput"/>,
/// <c>--json</c>): its own lines, the engine's messages and result sets as they come (device names replaced by the
/// stripe files they serve), a progress display while a transfer runs, and the closing line or summary that goes
/// with the exit code. A command writes through it only, so both forms always say the same things.
/// </summary>
internal abstract class CommandOutput : IStatementSink, ITransferObserver, IDisposable
{
    private readonly Lock _progressLock = new();
    private Timer? _ticker;
    private TransferMonitor? _monitor;
    private TransferStart? _transfer;

    protected CommandOutput(string command) => Command = command;

    /// <summary>The command, as typed after <c>vdi</c>.</summary>
    public string Command { get; }

    /// <summary>How often progress is shown while a transfer runs; null for never.</summary>
    protected abstract TimeSpan? ProgressInterval { get; }

    /// <summary>Whether progress is also shown at each of the engine's STATS steps (message 3211).</summary>
    protected virtual bool ProgressAtEngineSteps => false;

    /// <summary>Creates the output a command line asks for.</summary>
    public static CommandOutput Create(CliTerminal terminal, string command, bool json, bool quiet) =>
        json ? new JsonOutput(command, terminal.Output) : new HumanOutput(command, terminal, quiet);

    /// <summary><paramref name="text"/> with the last transfer's device names replaced by its stripe files' names.</summary>
    public string NameStripes(string text) => Volatile.Read(ref _transfer)?.NameStripes(text) ?? text;

    /// <summary>A line of the tool's own: what it is about to do, what it made.</summary>
    public abstract void Info(string text);

    /// <summary>A line of the engine daemon's log, with its level.</summary>
    public abstract void Log(Microsoft.Extensions.Logging.LogLevel level, string text);

    /// <summary>One of the engine's messages, as it arrives.</summary>
    public void OnMessage(SqlMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var transfer = Volatile.Read(ref _transfer);
        if (message.Number == SqlMessageNumbers.PercentProcessed && _monitor is { } monitor && ParsePercent(message.Text) is { } percent)
        {
            monitor.ReportPercent(percent);
        }

        string text = transfer?.NameStripes(message.Text) ?? message.Text;
        WriteMessage(text == message.Text ? message : message with { Text = text });
        if (message.Number == SqlMessageNumbers.PercentProcessed && ProgressAtEngineSteps)
        {
            Tick();
        }
    }

    /// <summary>A result set, as it arrives.</summary>
    public void OnResultSet(ResultSet resultSet)
    {
        ArgumentNullException.ThrowIfNull(resultSet);
        WriteResultSet(resultSet);
    }

    /// <inheritdoc/>
    public void Started(TransferStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        Volatile.Write(ref _transfer, start);
        StartProgress(start.Monitor);
    }

    /// <inheritdoc/>
    public void Ended() => StopProgress();

    /// <summary>Shows <paramref name="monitor"/>'s progress until <see cref="StopProgress"/>.</summary>
    public void StartProgress(TransferMonitor monitor)
    {
        lock (_progressLock)
        {
            _monitor = monitor;
            if (ProgressInterval is { } interval)
            {
                _ticker?.Dispose();
                _ticker = new Timer(_ => Tick(), null, interval, interval);
            }
        }
    }

    /// <summary>Stops the progress display and takes it off the screen.</summary>
    public void StopProgress()
    {
        lock (_progressLock)
        {
            _ticker?.Dispose();
            _ticker = null;
            _monitor = null;
            ClearProgress();
        }
    }

    /// <summary>
    /// Writes the closing line (people) or the summary event (machines) of <paramref name="result"/>; returns its exit
    /// code, for the command to return.
    /// </summary>
    public int Finish(CommandResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        StopProgress();
        WriteResult(result);
        return result.ExitCode;
    }

    /// <summary>The failure of a command line that cannot run: exit code 2.</summary>
    public int UsageError(string message) => Finish(CommandResult.Failure(ExitCodes.Usage, message));

    public void Dispose()
    {
        StopProgress();
        GC.SuppressFinalize(this);
    }

    protected abstract void WriteMessage(SqlMessage message);

    protected abstract void WriteResultSet(ResultSet resultSet);

    protected abstract void WriteProgress(TransferProgress progress);

    protected abstract void ClearProgress();

    protected abstract void WriteResult(CommandResult result);

    private void Tick()
    {
        lock (_progressLock)
        {
            if (_monitor is { } monitor && ProgressInterval is not null)
            {
                WriteProgress(monitor.Sample());
            }
        }
    }

    private static int? ParsePercent(string text)
    {
        int space = text.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && int.TryParse(text.AsSpan(0, space), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int percent) ? percent : null;
    }
}
