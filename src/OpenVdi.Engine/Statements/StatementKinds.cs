namespace OpenVdi.Engine.Statements;

/// <summary>Maps between <see cref="StatementKind"/> and the public kinds, and names the operations.</summary>
internal static class StatementKinds
{
    /// <summary>The bit of a BACKUP kind.</summary>
    /// <param name="kind">The public kind.</param>
    /// <returns>The statement kind.</returns>
    public static StatementKind From(BackupKind kind) =>
        kind == BackupKind.Database ? StatementKind.BackupDatabase : StatementKind.BackupLog;

    /// <summary>The bit of a RESTORE kind.</summary>
    /// <param name="kind">The public kind.</param>
    /// <returns>The statement kind.</returns>
    public static StatementKind From(RestoreKind kind) => kind switch
    {
        RestoreKind.Database => StatementKind.RestoreDatabase,
        RestoreKind.Log => StatementKind.RestoreLog,
        RestoreKind.VerifyOnly => StatementKind.RestoreVerifyOnly,
        RestoreKind.HeaderOnly => StatementKind.RestoreHeaderOnly,
        RestoreKind.FileListOnly => StatementKind.RestoreFileListOnly,
        RestoreKind.LabelOnly => StatementKind.RestoreLabelOnly,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown restore kind."),
    };

    /// <summary>Whether the kind is a BACKUP.</summary>
    /// <param name="kind">One statement kind.</param>
    /// <returns>True for BACKUP DATABASE and BACKUP LOG.</returns>
    public static bool IsBackup(StatementKind kind) => (kind & StatementKind.AnyBackup) != 0;

    /// <summary>
    /// The operation as SQL Server names it in 3013 and 3014. VERIFYONLY is "VERIFY DATABASE" and
    /// FILELISTONLY is "RESTORE FILELIST": those are the words SQL Server prints.
    /// </summary>
    /// <param name="kind">One statement kind.</param>
    /// <returns>The operation name.</returns>
    public static string OperationName(StatementKind kind) => kind switch
    {
        StatementKind.BackupDatabase => "BACKUP DATABASE",
        StatementKind.BackupLog => "BACKUP LOG",
        StatementKind.RestoreDatabase => "RESTORE DATABASE",
        StatementKind.RestoreLog => "RESTORE LOG",
        StatementKind.RestoreVerifyOnly => "VERIFY DATABASE",
        StatementKind.RestoreHeaderOnly => "RESTORE HEADERONLY",
        StatementKind.RestoreFileListOnly => "RESTORE FILELIST",
        StatementKind.RestoreLabelOnly => "RESTORE LABELONLY",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a single statement kind."),
    };
}
