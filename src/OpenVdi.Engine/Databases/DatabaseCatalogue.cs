using System.Diagnostics.CodeAnalysis;
using OpenVdi.Engine.Format;

namespace OpenVdi.Engine.Databases;

/// <summary>
/// The engine's databases: each is a directory <c>&lt;data directory&gt;/&lt;name&gt;/</c> holding a manifest
/// (<c>.openvdi-database.json</c>) that lists the database's files: logical name, path, data or log.
/// Files normally live in that directory; a file registered from elsewhere (an application's SQLite file,
/// say) is attached in place and recorded by its absolute path.
/// </summary>
/// <remarks>
/// Names are 1..128 characters of ASCII letters, digits, '_', '-' and '.', not starting with '.', and are
/// looked up ignoring case. The catalogue has no cache: every call reads the directory, so several
/// processes may share a data directory (two creating the same name at once is not guarded).
/// </remarks>
public sealed class DatabaseCatalogue
{
    /// <summary>Longest database name.</summary>
    public const int MaxNameLength = 128;

    /// <summary>Opens (creating if needed) the catalogue of a data directory.</summary>
    /// <param name="dataDirectory">The engine's data directory.</param>
    public DatabaseCatalogue(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        DataDirectory = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(DataDirectory);
    }

    /// <summary>The data directory, a full path.</summary>
    public string DataDirectory { get; }

    /// <summary>True when <paramref name="name"/> can name a database (and a directory).</summary>
    /// <param name="name">The candidate name.</param>
    /// <returns>Whether the catalogue accepts it.</returns>
    public static bool IsValidName([NotNullWhen(true)] string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || name[0] == '.')
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Every database, ordered by name.</summary>
    /// <returns>The databases whose directories hold a manifest.</returns>
    /// <exception cref="InvalidDataException">A manifest is malformed.</exception>
    public IReadOnlyList<DatabaseInfo> List() =>
        Directory.EnumerateDirectories(DataDirectory)
            .Where(DatabaseManifest.Exists)
            .Select(DatabaseManifest.Read)
            .OrderBy(database => database.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();

    /// <summary>True when a database of that name (ignoring case) exists.</summary>
    /// <param name="name">The database name.</param>
    /// <returns>Whether it exists.</returns>
    public bool Exists(string name) => FindDirectory(name) is not null;

    /// <summary>Looks a database up by name, ignoring case.</summary>
    /// <param name="name">The database name.</param>
    /// <param name="database">The database, when found.</param>
    /// <returns>Whether it was found.</returns>
    /// <exception cref="InvalidDataException">Its manifest is malformed.</exception>
    public bool TryGet(string name, [NotNullWhen(true)] out DatabaseInfo? database)
    {
        string? directory = FindDirectory(name);
        database = directory is null ? null : DatabaseManifest.Read(directory);
        return database is not null;
    }

    /// <summary>Looks a database up by name, ignoring case.</summary>
    /// <param name="name">The database name.</param>
    /// <returns>The database.</returns>
    /// <exception cref="DatabaseNotFoundException">No database has that name.</exception>
    public DatabaseInfo Get(string name) =>
        TryGet(name, out var database)
            ? database
            : throw new DatabaseNotFoundException(name, $"Database '{name}' does not exist in '{DataDirectory}'.");

    /// <summary>
    /// Registers existing files as a database. A relative path names a file already in the database's
    /// directory; an absolute path inside it is stored relative; an absolute path elsewhere is attached in
    /// place (backed up from there, never deleted by <see cref="Drop"/>).
    /// </summary>
    /// <param name="name">The new database's name.</param>
    /// <param name="files">Its files (at least one); each must exist.</param>
    /// <returns>The registered database.</returns>
    /// <exception cref="ArgumentException">The name or a file is not acceptable.</exception>
    /// <exception cref="InvalidOperationException">A database of that name exists.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public DatabaseInfo Register(string name, IReadOnlyList<DatabaseFileSpec> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (!IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid database name: 1..{MaxNameLength} ASCII letters, digits, '_', '-' or '.', not starting with '.'.", nameof(name));
        }

        if (Exists(name))
        {
            throw new InvalidOperationException($"Database '{name}' already exists.");
        }

        string directory = DirectoryFor(name);
        var normalized = files.Select(file => file with { Path = Normalize(directory, file.Path) }).ToList();
        var info = new DatabaseInfo(name, directory, normalized);
        string? problem = FindProblem(info);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(files));
        }

        foreach (var file in normalized)
        {
            string path = info.GetFullPath(file);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"The file '{path}' of database '{name}' does not exist.", path);
            }
        }

        Directory.CreateDirectory(directory);
        DatabaseManifest.Write(directory, name, normalized);
        return info;
    }

    /// <summary>
    /// Drops a database: removes its manifest (so it leaves the catalogue at once), then deletes the files
    /// inside its directory and the directory if it is then empty. Files attached in place are left alone.
    /// </summary>
    /// <param name="name">The database name.</param>
    /// <exception cref="DatabaseNotFoundException">No database has that name.</exception>
    public void Drop(string name)
    {
        var database = Get(name);
        File.Delete(Path.Combine(database.Directory, DatabaseManifest.FileName));
        foreach (var file in database.Files.Where(database.OwnsFile))
        {
            File.Delete(database.GetFullPath(file));
        }

        // Then the directories left empty, deepest first; anything else found there (a stray file) stays.
        var directories = Directory.EnumerateDirectories(database.Directory, "*", SearchOption.AllDirectories)
            .OrderByDescending(directory => directory.Length)
            .Append(database.Directory);
        foreach (string directory in directories)
        {
            if (!Directory.EnumerateFileSystemEntries(directory).Any())
            {
                Directory.Delete(directory);
            }
        }
    }

    /// <summary>Opens a database's files for a BACKUP.</summary>
    /// <param name="name">The database name.</param>
    /// <returns>The data source of the backup; dispose it when the backup ends.</returns>
    /// <exception cref="DatabaseNotFoundException">No database has that name.</exception>
    /// <exception cref="IOException">A file cannot be opened.</exception>
    public DatabaseReader OpenReader(string name)
    {
        var database = Get(name);
        return DatabaseReader.Open(database.Directory, database.Files);
    }

    /// <summary>
    /// Prepares a RESTORE of a backup set as database <paramref name="name"/>: files go to the database's
    /// directory (or where MOVE says), under temporary names; <see cref="DatabaseWriter.Commit"/> renames them
    /// into place and then writes the manifest, so the database appears (or changes) only when the restore
    /// succeeded. With REPLACE, files of the previous database that the new one does not use are deleted
    /// at commit.
    /// </summary>
    /// <param name="name">The database to restore as (it may differ from the backed-up database's name).</param>
    /// <param name="setHeader">The backup set, from the stream.</param>
    /// <param name="options">REPLACE and MOVE.</param>
    /// <returns>The sink for <see cref="MediaSetAssembler"/>; commit it after the media set is complete, dispose it always.</returns>
    /// <exception cref="RestoreTargetExistsException">The database (online: a restoring one may be restored over) or a target file exists and REPLACE was not given.</exception>
    public DatabaseWriter BeginRestore(string name, BackupSetHeader setHeader, DatabaseWriterOptions? options = null) =>
        BeginRestore(name, setHeader, options ?? new DatabaseWriterOptions(), rollForward: false, leaveRestoring: false);

    /// <summary>
    /// <see cref="BeginRestore(string, BackupSetHeader, DatabaseWriterOptions?)"/> as RESTORE runs it. A database
    /// that is restoring may be restored over without REPLACE. <paramref name="rollForward"/> (RESTORE LOG, or of a
    /// differential) applies the backup set to a restoring database: each file goes over the database's file of
    /// the same logical name (unless MOVE says otherwise), the database's other files stay.
    /// <paramref name="leaveRestoring"/> (NORECOVERY) records the database as restoring at commit; otherwise online.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="rollForward"/> and the database is not restoring.</exception>
    internal DatabaseWriter BeginRestore(string name, BackupSetHeader setHeader, DatabaseWriterOptions options, bool rollForward, bool leaveRestoring)
    {
        ArgumentNullException.ThrowIfNull(setHeader);
        ArgumentNullException.ThrowIfNull(options);
        if (!IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid database name.", nameof(name));
        }

        TryGet(name, out var existing);
        if (rollForward && existing is not { IsRestoring: true })
        {
            throw new InvalidOperationException($"Database '{name}' is not restoring: there is nothing to roll forward.");
        }

        if (existing is { IsRestoring: false } && !options.Replace)
        {
            throw new RestoreTargetExistsException(existing.Directory, $"Database '{existing.Name}' exists; RESTORE overwrites an existing database only WITH REPLACE.");
        }

        string directory = existing?.Directory ?? DirectoryFor(name);
        string databaseName = existing?.Name ?? name;
        if (setHeader.Files.Any(file => string.Equals(file.PhysicalPath, DatabaseManifest.FileName, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException($"A file of the backup set is named '{DatabaseManifest.FileName}', which the catalogue reserves; use MOVE.", nameof(setHeader));
        }

        if (existing is not null)
        {
            // Over a restoring database (or WITH REPLACE) its files may be overwritten; rolling forward, each file of
            // the set goes where the database keeps the file of that logical name.
            var moves = new Dictionary<string, string>(options.Moves, StringComparer.OrdinalIgnoreCase);
            if (rollForward)
            {
                foreach (var file in setHeader.Files)
                {
                    if (existing.Files.FirstOrDefault(f => string.Equals(f.LogicalName, file.LogicalName, StringComparison.OrdinalIgnoreCase)) is { } same)
                    {
                        moves.TryAdd(file.LogicalName, existing.GetFullPath(same));
                    }
                }
            }

            options = new DatabaseWriterOptions { Replace = true, Moves = moves };
        }

        var writer = DatabaseWriter.Create(setHeader, directory, options);
        writer.Committed = committed => RecordRestored(databaseName, directory, existing, committed, rollForward, leaveRestoring);
        return writer;
    }

    /// <summary>The directory a new database of that name gets.</summary>
    internal string DirectoryFor(string name) => Path.Combine(DataDirectory, name);

    /// <summary>Why a database's file list is unacceptable, or null.</summary>
    internal static string? FindProblem(DatabaseInfo database)
    {
        if (!IsValidName(database.Name))
        {
            return $"'{database.Name}' is not a valid database name";
        }

        if (database.Files.Count == 0)
        {
            return "a database has at least one file";
        }

        var recorded = new List<BackupFileEntry>();
        foreach (var file in database.Files)
        {
            if (file is null || !BackupFileEntryDescriptor.IsValidName(file.LogicalName) || file.Type is not (DatabaseFileType.Data or DatabaseFileType.Log))
            {
                return $"the file {file} has an invalid logical name or type";
            }

            if (!Path.IsPathFullyQualified(file.Path) && !BackupFileEntryDescriptor.IsValidPhysicalPath(file.Path))
            {
                return $"the path '{file.Path}' is neither absolute nor a safe relative path";
            }

            if (string.Equals(Path.GetFileName(file.Path), DatabaseManifest.FileName, StringComparison.OrdinalIgnoreCase))
            {
                return $"'{DatabaseManifest.FileName}' is reserved for the manifest";
            }

            recorded.Add(new BackupFileEntry(file.LogicalName, DatabaseReader.RecordedPath(database.Directory, file.Path), file.Type, 0));
        }

        try
        {
            // The same rules a backup of the database will apply: unique logical names and recorded paths.
            BackupSetHeader.ValidateFiles(recorded, nameof(database));
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    private static string Normalize(string directory, string path)
    {
        if (!Path.IsPathFullyQualified(path))
        {
            return path;
        }

        string full = Path.GetFullPath(path);
        string relative = Path.GetRelativePath(directory, full).Replace(Path.DirectorySeparatorChar, '/');
        return BackupFileEntryDescriptor.IsValidPhysicalPath(relative) ? relative : full;
    }

    private static void RecordRestored(string name, string directory, DatabaseInfo? previous, DatabaseWriter writer, bool rollForward, bool restoring)
    {
        var files = new List<DatabaseFileSpec>(writer.TargetPaths.Count);
        for (int i = 0; i < writer.TargetPaths.Count; i++)
        {
            var entry = writer.SetHeader.Files[i];
            files.Add(new DatabaseFileSpec(entry.LogicalName, Normalize(directory, writer.TargetPaths[i]), entry.Type));
        }

        if (rollForward && previous is not null)
        {
            // The database keeps its files; those the set carried were written over (or are new).
            var applied = files;
            files = [.. previous.Files.Select(old => applied.FirstOrDefault(f => string.Equals(f.LogicalName, old.LogicalName, StringComparison.OrdinalIgnoreCase)) ?? old)];
            files.AddRange(applied.Where(f => !previous.Files.Any(old => string.Equals(old.LogicalName, f.LogicalName, StringComparison.OrdinalIgnoreCase))));
            DatabaseManifest.Write(directory, name, files, restoring);
            return;
        }

        DatabaseManifest.Write(directory, name, files, restoring);
        if (previous is null)
        {
            return;
        }

        // REPLACE: the previous database's own files that the restored one does not reuse are now orphans.
        var kept = new HashSet<string>(writer.TargetPaths, StringComparer.Ordinal);
        foreach (var old in previous.Files.Where(previous.OwnsFile))
        {
            string path = previous.GetFullPath(old);
            if (!kept.Contains(path))
            {
                File.Delete(path);
            }
        }
    }

    private string? FindDirectory(string name)
    {
        if (!IsValidName(name))
        {
            return null;
        }

        string exact = DirectoryFor(name);
        if (DatabaseManifest.Exists(exact))
        {
            return exact;
        }

        return Directory.EnumerateDirectories(DataDirectory)
            .FirstOrDefault(directory => string.Equals(Path.GetFileName(directory), name, StringComparison.OrdinalIgnoreCase) && DatabaseManifest.Exists(directory));
    }
}
