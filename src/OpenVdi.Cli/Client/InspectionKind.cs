namespace OpenVdi.Cli.Client;

/// <summary>The RESTORE statements that read a backup's headers and answer with rows.</summary>
internal enum InspectionKind
{
    /// <summary>RESTORE HEADERONLY: the backup set.</summary>
    HeaderOnly,

    /// <summary>RESTORE FILELISTONLY: the database files in the backup set.</summary>
    FileListOnly,

    /// <summary>RESTORE LABELONLY: the media.</summary>
    LabelOnly,
}
