using OpenVdi.Engine.Databases;

namespace OpenVdi.Engine.Execution;

/// <summary>A database as <see cref="IDatabaseAdministration.ListDatabases"/> lists it.</summary>
/// <param name="Name">The database's name.</param>
/// <param name="IsRestoring">Whether a RESTORE … WITH NORECOVERY left it restoring.</param>
/// <param name="Files">Its files, data first.</param>
public sealed record DatabaseSummary(string Name, bool IsRestoring, IReadOnlyList<DatabaseFileSummary> Files)
{
    /// <summary>The bytes of all its files that exist.</summary>
    public long SizeBytes => Files.Sum(f => f.SizeBytes ?? 0);

    /// <summary>A catalogue's database, with the sizes its files have now.</summary>
    /// <param name="database">The database.</param>
    /// <returns>Its summary.</returns>
    public static DatabaseSummary Of(DatabaseInfo database)
    {
        ArgumentNullException.ThrowIfNull(database);
        return new DatabaseSummary(
            database.Name,
            database.IsRestoring,
            [.. database.Files.Select(file =>
            {
                string path = database.GetFullPath(file);
                var info = new FileInfo(path);
                return new DatabaseFileSummary(file.LogicalName, file.Type, path, info.Exists ? info.Length : null);
            })]);
    }
}
