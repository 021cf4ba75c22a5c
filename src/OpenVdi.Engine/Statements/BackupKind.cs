namespace OpenVdi.Engine.Statements;

/// <summary>What a BACKUP statement backs up.</summary>
public enum BackupKind
{
    /// <summary><c>BACKUP DATABASE</c>: the data files (and the log needed to make them consistent).</summary>
    Database,

    /// <summary><c>BACKUP LOG</c>: the transaction log.</summary>
    Log,
}
