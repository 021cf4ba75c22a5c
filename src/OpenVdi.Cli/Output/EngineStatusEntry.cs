namespace OpenVdi.Cli.Output;

/// <summary>A running engine daemon (<c>vdi engine status</c>).</summary>
internal sealed record EngineStatusEntry
{
    public required string Socket { get; init; }

    public required int Pid { get; init; }

    public required string Version { get; init; }

    public required int Protocol { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public double? UptimeSeconds { get; init; }

    public string? DataDirectory { get; init; }

    public int? RunningStatements { get; init; }

    public int? Databases { get; init; }

    public string? Faults { get; init; }
}
