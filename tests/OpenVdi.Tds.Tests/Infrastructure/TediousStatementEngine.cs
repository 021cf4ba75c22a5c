using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Messages;

namespace OpenVdi.Tds.Tests.Infrastructure;

/// <summary>
/// Statements sent by tedious, SQL Server's Node.js driver, in a process of its own (tests/tds-clients/run-statement.js):
/// <c>execSqlBatch</c>, or <c>execSql</c> (RPC sp_executesql). The messages it reports arrive at the sink as tedious
/// receives them; rows become a result set. As an <see cref="IStatementEngine"/>, it serves a real backup application.
/// </summary>
public sealed class TediousStatementEngine : IStatementEngine
{
    private readonly TdsEngine _engine;
    private readonly bool _rpc;
    private readonly string? _password;
    private readonly bool _encrypt;

    public TediousStatementEngine(TdsEngine engine, bool rpc, string? password = null, bool encrypt = true)
    {
        _engine = engine;
        _rpc = rpc;
        _password = password;
        _encrypt = encrypt;
    }

    /// <summary>Parameters for sp_executesql (with <c>rpc</c>): name without '@', tedious type name, value.</summary>
    public IReadOnlyList<(string Name, string Type, object Value)> Parameters { get; init; } = [];

    /// <summary>The column types tedious reported for the last result set, by column.</summary>
    public IReadOnlyList<string> LastColumnTypes { get; private set; } = [];

    public async Task<StatementOutcome> ExecuteAsync(string statement, IStatementSink? sink = null, CancellationToken cancellationToken = default)
    {
        string directory = await TdsClientPackages.DirectoryAsync();
        var request = new JsonObject
        {
            ["server"] = "127.0.0.1",
            ["port"] = _engine.Port,
            ["user"] = TdsEngine.Login,
            ["password"] = _password ?? _engine.Password,
            ["encrypt"] = _encrypt,
            ["trustServerCertificate"] = true,
            ["statement"] = statement,
            ["mode"] = _rpc ? "sql" : "batch",
            ["parameters"] = new JsonArray([.. Parameters.Select(p => (JsonNode)new JsonObject { ["name"] = p.Name, ["type"] = p.Type, ["value"] = JsonValue.Create(p.Value) })]),
        };
        var start = new ProcessStartInfo("node", [Path.Combine(directory, "run-statement.js"), request.ToJsonString()])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start) ?? throw new InvalidOperationException("node could not be started.");
        var errors = node.StandardError.ReadToEndAsync(CancellationToken.None);
        using var kill = cancellationToken.Register(() => node.Kill(entireProcessTree: true));
        var messages = new List<SqlMessage>();
        var rows = new List<IReadOnlyList<object?>>();
        IReadOnlyList<string>? columns = null;
        bool done = false;
        while (await node.StandardOutput.ReadLineAsync(CancellationToken.None) is { } line)
        {
            var report = JsonNode.Parse(line)!.AsObject();
            switch ((string?)report["event"])
            {
                case "connectFailed":
                    throw new TediousConnectException((string?)report["message"] ?? "tedious could not connect");
                case "message":
                    var message = new SqlMessage((int)report["number"]!, (byte)(int)report["severity"]!, (byte)(int)report["state"]!, (string)report["text"]!)
                    {
                        LineNumber = (int)report["line"]!,
                    };
                    messages.Add(message);
                    sink?.OnMessage(message);
                    break;
                case "row":
                    columns ??= [.. report["columns"]!.AsArray().Select(c => (string)c!)];
                    LastColumnTypes = [.. report["types"]!.AsArray().Select(c => (string)c!)];
                    rows.Add([.. report["values"]!.AsArray().Select(Value)]);
                    break;
                case "done":
                    done = true;
                    break;
            }
        }

        await node.WaitForExitAsync(CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        if (!done)
        {
            throw new InvalidOperationException($"tedious ended without finishing the statement (exit code {node.ExitCode}): {await errors}");
        }

        var resultSets = new List<ResultSet>();
        if (columns is not null)
        {
            var resultSet = new ResultSet(columns, rows);
            resultSets.Add(resultSet);
            sink?.OnResultSet(resultSet);
        }

        return new StatementOutcome { Succeeded = !messages.Exists(m => m.IsError), Messages = messages, ResultSets = resultSets };
    }

    private static object? Value(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => null,
        JsonValueKind.String => (string)node!,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => (decimal)node!,
        _ => node!.ToJsonString(),
    };
}
