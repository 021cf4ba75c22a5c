using OpenVdi.Engine.Execution;

namespace OpenVdi.Cli.Client;

/// <summary>How a statement over a virtual device set ended, on both sides.</summary>
internal sealed record SessionResult
{
    public required string SetName { get; init; }

    /// <summary>The statement's outcome; null when the engine could not be reached or the statement was cancelled.</summary>
    public StatementOutcome? Outcome { get; init; }

    /// <summary>Why there is no outcome: the engine is unreachable, refused, broke the connection…</summary>
    public Exception? EngineFailure { get; init; }

    public bool Cancelled { get; init; }

    /// <summary>The configuration the engine settled; null when the devices were never served.</summary>
    public VdConfig? Configuration { get; init; }

    /// <summary>Per device, what went wrong on this side, or null.</summary>
    public required IReadOnlyList<string?> DeviceFailures { get; init; }

    public TimeSpan Elapsed { get; init; }

    /// <summary>True only when the statement succeeded and every device was served without a failure here.</summary>
    public bool Succeeded => Outcome is { Succeeded: true } && EngineFailure is null && !Cancelled && DeviceFailures.All(f => f is null);
}
