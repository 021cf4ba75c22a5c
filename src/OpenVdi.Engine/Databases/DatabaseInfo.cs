using OpenVdi.Engine.Format;

namespace OpenVdi.Engine.Databases;

/// <summary>A database of the catalogue: a name, its directory, and its files.</summary>
/// <param name="Name">The database name (as registered; lookups ignore case).</param>
/// <param name="Directory">The database's directory under the data directory, a full path; it holds the manifest.</param>
/// <param name="Files">The files: paths relative to <paramref name="Directory"/>, or absolute for files attached in place.</param>
public sealed record DatabaseInfo(string Name, string Directory, IReadOnlyList<DatabaseFileSpec> Files)
{
    /// <summary>
    /// True while the database is restoring: a RESTORE … WITH NORECOVERY left it ready for RESTORE LOG or a
    /// differential, and BACKUP refuses it (927) until a RESTORE WITH RECOVERY brings it online.
    /// </summary>
    public bool IsRestoring { get; init; }

    /// <summary>The full path of one of the database's files.</summary>
    /// <param name="file">One of <see cref="Files"/>.</param>
    /// <returns>The path resolved against <see cref="Directory"/>.</returns>
    public string GetFullPath(DatabaseFileSpec file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return Path.IsPathFullyQualified(file.Path) ? file.Path : Path.Combine(Directory, file.Path);
    }

    /// <summary>True when the file lies inside the database directory (so DROP deletes it).</summary>
    /// <param name="file">One of <see cref="Files"/>.</param>
    /// <returns>Whether the database owns the file.</returns>
    public bool OwnsFile(DatabaseFileSpec file)
    {
        ArgumentNullException.ThrowIfNull(file);
        string relative = Path.GetRelativePath(Directory, GetFullPath(file));
        return !Path.IsPathFullyQualified(relative) && relative != ".." && !relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }
}
