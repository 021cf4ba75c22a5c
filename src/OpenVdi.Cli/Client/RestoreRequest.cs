namespace OpenVdi.Cli.Client;

/// <summary>A restore to run: <c>vdi restore</c>'s options.</summary>
internal sealed record RestoreRequest
{
    /// <summary>The backup directory.</summary>
    public required string Directory { get; init; }

    /// <summary>The database to restore as.</summary>
    public required string Database { get; init; }

    /// <summary>REPLACE: overwrite an existing database.</summary>
    public bool Replace { get; init; }

    /// <summary>MOVE: logical file name to path, the paths absolute.</summary>
    public IReadOnlyList<(string Logical, string Path)> Moves { get; init; } = [];

    /// <summary>RECOVERY (true, the default) or NORECOVERY (false: the database stays restoring, for the next backup of the chain).</summary>
    public bool Recovery { get; init; } = true;

    /// <summary>CHECKSUM: refuse a backup without checksums (3187).</summary>
    public bool RequireChecksum { get; init; }

    /// <summary>STATS.</summary>
    public int? Stats { get; init; }

    /// <summary>BUFFERCOUNT; null for the engine's choice.</summary>
    public int? BufferCount { get; init; }
}
