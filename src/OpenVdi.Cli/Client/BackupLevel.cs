namespace OpenVdi.Cli.Client;

/// <summary>What a backup holds: <c>vdi backup --type full|differential|log</c>.</summary>
internal enum BackupLevel
{
    /// <summary>BACKUP DATABASE: every file.</summary>
    Full,

    /// <summary>BACKUP DATABASE … WITH DIFFERENTIAL: restored onto a database left restoring.</summary>
    Differential,

    /// <summary>BACKUP LOG: the log files; restored with RESTORE LOG onto a database left restoring.</summary>
    Log,
}
