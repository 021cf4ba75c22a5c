namespace OpenVdi.Cli.Output;

/// <summary>One file of a database.</summary>
internal sealed record DatabaseFileEntry
{
    public required string LogicalName { get; init; }

    /// <summary><c>data</c> or <c>log</c>.</summary>
    public required string Type { get; init; }

    public required string Path { get; init; }

    public long? SizeBytes { get; init; }
}
