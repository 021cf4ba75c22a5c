namespace OpenVdi.Engine.Format;

/// <summary>
/// One file of the backed-up database, as the backup-set header lists it (RESTORE FILELISTONLY).
/// Layout: <see cref="BackupFileEntryDescriptor"/>.
/// </summary>
/// <param name="LogicalName">The file's logical name (what MOVE refers to), unique in the set ignoring case.</param>
/// <param name="PhysicalPath">
/// The file's path relative to the database directory, '/'-separated, with no rooted, '.', '..' or empty
/// segments; where RESTORE puts the file unless it is MOVEd.
/// </param>
/// <param name="Type">Data or log.</param>
/// <param name="Size">The file's size in bytes when the backup started; the backup holds exactly this many bytes of it.</param>
public sealed record BackupFileEntry(string LogicalName, string PhysicalPath, DatabaseFileType Type, long Size);
