namespace OpenVdi.Engine.Format;

/// <summary>
/// The kind of backup a backup set holds. The values are SQL Server's RESTORE HEADERONLY
/// <c>BackupType</c> codes.
/// </summary>
public enum BackupType
{
    /// <summary>BACKUP DATABASE: every data and log file.</summary>
    Database = 1,

    /// <summary>BACKUP LOG: the log file(s).</summary>
    Log = 2,

    /// <summary>BACKUP DATABASE … WITH DIFFERENTIAL.</summary>
    Differential = 5,
}
