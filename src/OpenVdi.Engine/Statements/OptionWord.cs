namespace OpenVdi.Engine.Statements;

/// <summary>The WITH options the engine implements, plus <see cref="Other"/> for SQL Server's options it does not.</summary>
internal enum OptionWord
{
    BlockSize,
    BufferCount,
    MaxTransferSize,
    Checksum,
    NoChecksum,
    CopyOnly,
    Differential,
    Format,
    NoFormat,
    Init,
    NoInit,
    Name,
    Description,
    Stats,
    Replace,
    Move,
    Recovery,
    NoRecovery,

    /// <summary>An option SQL Server knows for BACKUP or RESTORE that the engine does not implement.</summary>
    Other,
}
