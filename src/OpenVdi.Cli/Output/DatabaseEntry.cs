namespace OpenVdi.Cli.Output;

/// <summary>A database of the engine (<c>vdi engine list</c>, <c>create-sample</c>, <c>register</c>).</summary>
internal sealed record DatabaseEntry
{
    public required string Name { get; init; }

    /// <summary><c>online</c> or <c>restoring</c>.</summary>
    public required string State { get; init; }

    public required long SizeBytes { get; init; }

    public required IReadOnlyList<DatabaseFileEntry> Files { get; init; }
}
