namespace OpenVdi.Cli.Output;

/// <summary>Where a transfer is.</summary>
internal sealed record ProgressEvent
{
    public string Type { get; } = "progress";

    public required DateTimeOffset Time { get; init; }

    /// <summary><c>backup</c>, <c>restore</c>, <c>verify</c>, <c>headeronly</c>… or <c>create-sample</c>.</summary>
    public required string Operation { get; init; }

    public required long Bytes { get; init; }

    public long? TotalBytes { get; init; }

    /// <summary>True when <see cref="TotalBytes"/> is estimated from the engine's percent (a backup).</summary>
    public bool? TotalIsEstimate { get; init; }

    public double? Percent { get; init; }

    public required double BytesPerSecond { get; init; }

    public required double ElapsedSeconds { get; init; }

    public double? EtaSeconds { get; init; }
}
