namespace OpenVdi.Cli.Output;

/// <summary>Why a command failed.</summary>
internal sealed record ErrorInfo
{
    /// <summary><c>usage</c>, <c>failed</c>, <c>engine-unreachable</c> or <c>cancelled</c>.</summary>
    public required string Kind { get; init; }

    public required string Message { get; init; }
}
