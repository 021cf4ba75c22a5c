using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using OpenVdi.Cli.Client;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Messages;

namespace OpenVdi.Cli.Output;

/// <summary>
/// Output for machines (<c>--json</c>): one JSON object a line on standard output, nothing on standard error: each
/// message, result set and progress sample as an event, and the <c>result</c> event last, errors included
/// (docs/cli-json.md). Progress comes once a second and at each STATS step.
/// </summary>
internal sealed class JsonOutput : CommandOutput
{
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(1);

    // Relaxed escaping keeps quotes and non-ASCII text readable; the lines never reach HTML.
    private static readonly CliJsonContext s_json = new(new JsonSerializerOptions(CliJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private readonly TextWriter _output;
    private readonly Lock _lock = new();

    public JsonOutput(string command, TextWriter output)
        : base(command) => _output = output;

    protected override TimeSpan? ProgressInterval => s_interval;

    protected override bool ProgressAtEngineSteps => true;

    public override void Info(string text) =>
        Emit(new MessageEvent { Time = DateTimeOffset.UtcNow, Source = "vdi", Text = text, Error = false }, s_json.MessageEvent);

    public override void Log(LogLevel level, string text) =>
        Emit(new LogEvent { Time = DateTimeOffset.UtcNow, Level = LogLevels.Name(level), Text = text }, s_json.LogEvent);

    protected override void WriteMessage(SqlMessage message) =>
        Emit(
            new MessageEvent
            {
                Time = DateTimeOffset.UtcNow,
                Source = "engine",
                Number = message.Number,
                Severity = message.Severity,
                State = message.State,
                Line = message.LineNumber,
                Text = message.Text,
                Error = message.IsError,
            },
            s_json.MessageEvent);

    protected override void WriteResultSet(ResultSet resultSet)
    {
        var rows = resultSet.Rows
            .Select(row => resultSet.Columns.Select((column, i) => (column, value: i < row.Count ? row[i] : null)).ToDictionary(c => c.column, c => c.value))
            .ToList();
        Emit(new ResultSetEvent { Time = DateTimeOffset.UtcNow, Columns = resultSet.Columns, Rows = rows }, s_json.ResultSetEvent);
    }

    protected override void WriteProgress(TransferProgress progress) =>
        Emit(
            new ProgressEvent
            {
                Time = DateTimeOffset.UtcNow,
                Operation = progress.Operation,
                Bytes = progress.Bytes,
                TotalBytes = progress.TotalBytes,
                TotalIsEstimate = progress.TotalBytes is null ? null : progress.TotalIsEstimate,
                Percent = progress.Fraction is { } f ? Math.Round(f * 100, 1) : null,
                BytesPerSecond = Math.Round(progress.BytesPerSecond),
                ElapsedSeconds = Math.Round(progress.Elapsed.TotalSeconds, 3),
                EtaSeconds = progress.Remaining is { } r ? Math.Round(r.TotalSeconds, 1) : null,
            },
            s_json.ProgressEvent);

    protected override void ClearProgress()
    {
    }

    protected override void WriteResult(CommandResult result)
    {
        var details = result.Details ?? new ResultEvent();
        Emit(
            details with
            {
                Time = DateTimeOffset.UtcNow,
                Command = Command,
                Succeeded = result.Succeeded,
                ExitCode = result.ExitCode,
                Text = result.Text,
                Error = result.ErrorKind is { } kind ? new ErrorInfo { Kind = kind, Message = result.Text } : null,
            },
            s_json.ResultEvent);
    }

    private void Emit<T>(T value, JsonTypeInfo<T> type)
    {
        string line = JsonSerializer.Serialize(value, type);
        lock (_lock)
        {
            _output.WriteLine(line);
            _output.Flush();
        }
    }
}
