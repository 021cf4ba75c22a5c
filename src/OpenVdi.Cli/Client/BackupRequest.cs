namespace OpenVdi.Cli.Client;

/// <summary>A backup to run: <c>vdi backup</c>'s options.</summary>
internal sealed record BackupRequest
{
    /// <summary>The database to back up.</summary>
    public required string Database { get; init; }

    /// <summary>The backup directory (created if needed; must not already hold a backup).</summary>
    public required string Directory { get; init; }

    /// <summary>Devices (stripe files), 1 to 64.</summary>
    public int Devices { get; init; } = 1;

    /// <summary>Full, differential or log.</summary>
    public BackupLevel Level { get; init; } = BackupLevel.Full;

    /// <summary>COPY_ONLY: a backup outside the chain of differentials.</summary>
    public bool CopyOnly { get; init; }

    /// <summary>CHECKSUM (true, the default) or NO_CHECKSUM (false): a checksum on every data block.</summary>
    public bool Checksum { get; init; } = true;

    /// <summary>BLOCKSIZE, MAXTRANSFERSIZE, BUFFERCOUNT, STATS.</summary>
    public TransferOptions Transfer { get; init; } = new();
}
