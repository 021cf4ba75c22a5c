namespace OpenVdi.Engine.Statements;

/// <summary>Which RESTORE statement was given.</summary>
public enum RestoreKind
{
    /// <summary><c>RESTORE DATABASE</c>: writes the database's files from the backup.</summary>
    Database,

    /// <summary><c>RESTORE LOG</c>: applies a log backup.</summary>
    Log,

    /// <summary><c>RESTORE VERIFYONLY</c>: reads the whole backup and checks it, writing nothing.</summary>
    VerifyOnly,

    /// <summary><c>RESTORE HEADERONLY</c>: returns the backup set headers.</summary>
    HeaderOnly,

    /// <summary><c>RESTORE FILELISTONLY</c>: returns the database files in the backup set.</summary>
    FileListOnly,

    /// <summary><c>RESTORE LABELONLY</c>: returns the media label.</summary>
    LabelOnly,
}
