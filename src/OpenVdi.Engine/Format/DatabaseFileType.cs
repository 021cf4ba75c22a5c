namespace OpenVdi.Engine.Format;

/// <summary>The role of a database file (RESTORE FILELISTONLY's <c>Type</c> column: D or L).</summary>
public enum DatabaseFileType
{
    /// <summary>A data file ('D').</summary>
    Data = 0,

    /// <summary>A transaction log file ('L').</summary>
    Log = 1,
}
