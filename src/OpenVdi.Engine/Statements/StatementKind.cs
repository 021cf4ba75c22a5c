namespace OpenVdi.Engine.Statements;

/// <summary>
/// Every statement form the engine runs, one bit each, so that an option can say in one mask which
/// forms take it.
/// </summary>
[Flags]
internal enum StatementKind
{
    None = 0,
    BackupDatabase = 1 << 0,
    BackupLog = 1 << 1,
    RestoreDatabase = 1 << 2,
    RestoreLog = 1 << 3,
    RestoreVerifyOnly = 1 << 4,
    RestoreHeaderOnly = 1 << 5,
    RestoreFileListOnly = 1 << 6,
    RestoreLabelOnly = 1 << 7,

    AnyBackup = BackupDatabase | BackupLog,
    RestoreDatabaseOrLog = RestoreDatabase | RestoreLog,
    AnyRestore = RestoreDatabaseOrLog | RestoreVerifyOnly | RestoreHeaderOnly | RestoreFileListOnly | RestoreLabelOnly,
    Any = AnyBackup | AnyRestore,
}
