namespace OpenVdi.Engine.Devices;

/// <summary>The outcome of a streaming BACKUP or RESTORE on the server side.</summary>
public sealed record StreamingResult
{
    /// <summary>Whether every device finished normally.</summary>
    public bool Succeeded => Failure is null;

    /// <summary>What went wrong, for the first device that failed (or the abort); null on success.</summary>
    public string? Failure { get; init; }

    /// <summary>The first non-success completion code a client returned (0 when none).</summary>
    public uint CompletionCode { get; init; }

    /// <summary>The device that failed first, or -1 (success, or a failure of the whole set).</summary>
    public int FailedDevice { get; init; } = -1;

    /// <summary>Whether the set aborted (either side's SignalAbort, a timeout, a dead peer).</summary>
    public bool Aborted { get; init; }

    /// <summary>Bytes moved per device, in device order.</summary>
    public required IReadOnlyList<long> BytesPerDevice { get; init; }

    /// <summary>Total bytes moved.</summary>
    public long TotalBytes => BytesPerDevice.Sum();
}
