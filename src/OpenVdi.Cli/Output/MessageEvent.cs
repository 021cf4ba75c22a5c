namespace OpenVdi.Cli.Output;

// The events of 'vdi … --json', one JSON object a line; docs/cli-json.md is their schema. Each has "type" first and
// "time" (UTC, ISO 8601). Members that do not apply are left out, never written as null.

/// <summary>A message: the engine's (SQL Server's numbers, severity, text) or the tool's own (<c>source</c> = <c>vdi</c>).</summary>
internal sealed record MessageEvent
{
    public string Type { get; } = "message";

    public required DateTimeOffset Time { get; init; }

    /// <summary><c>engine</c> or <c>vdi</c>.</summary>
    public required string Source { get; init; }

    public int? Number { get; init; }

    public int? Severity { get; init; }

    public int? State { get; init; }

    public int? Line { get; init; }

    public required string Text { get; init; }

    /// <summary>True for an error (severity above 10, or a failure of the tool's own).</summary>
    public required bool Error { get; init; }
}
