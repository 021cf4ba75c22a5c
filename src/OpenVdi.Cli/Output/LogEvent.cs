namespace OpenVdi.Cli.Output;

/// <summary>A line of the engine daemon's log (<c>vdi engine serve --json</c>).</summary>
internal sealed record LogEvent
{
    public string Type { get; } = "log";

    public required DateTimeOffset Time { get; init; }

    /// <summary><c>trace</c>, <c>debug</c>, <c>info</c>, <c>warn</c>, <c>error</c> or <c>critical</c>.</summary>
    public required string Level { get; init; }

    public required string Text { get; init; }
}
