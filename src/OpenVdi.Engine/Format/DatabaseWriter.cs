using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace OpenVdi.Engine.Format;

/// <summary>
/// The sink of a RESTORE: writes verified payload into the database's files under a target directory.
/// Files are written under temporary names next to their targets and renamed into place only by
/// <see cref="Commit"/>, after the media set proved whole; disposing without committing deletes them, so a
/// failed restore leaves the previous files (if any) untouched.
/// </summary>
/// <remarks>
/// An existing target file is refused at <see cref="Create"/> unless <see cref="DatabaseWriterOptions.Replace"/>
/// is set. <see cref="WriteBlock"/> is thread-safe (positional writes). The renames of several files are not
/// atomic as a group: a crash between two renames leaves some files new and some old; the temporary names
/// end in <see cref="TemporarySuffix"/>.
/// </remarks>
public sealed partial class DatabaseWriter : IDataBlockSink, IDisposable
{
    /// <summary>The suffix of the temporary names restored files have until <see cref="Commit"/>.</summary>
    public const string TemporarySuffix = ".restoring";

    private readonly SafeFileHandle?[] _handles;
    private readonly string?[] _temporaryPaths;
    private readonly string[] _targetPaths;
    private readonly long[] _sizes;
    private readonly bool _replace;
    private readonly List<string> _createdDirectories = [];

    // Commit and Dispose come from the one thread that drives the restore, after every WriteBlock returned.
    private bool _closing;
    private bool _committed;
    private bool _disposed;

    private DatabaseWriter(BackupSetHeader setHeader, string[] targetPaths, bool replace)
    {
        SetHeader = setHeader;
        _targetPaths = targetPaths;
        _replace = replace;
        _sizes = setHeader.Files.Select(file => file.Size).ToArray();
        _handles = new SafeFileHandle?[targetPaths.Length];
        _temporaryPaths = new string?[targetPaths.Length];
    }

    /// <summary>The backup set being restored.</summary>
    public BackupSetHeader SetHeader { get; }

    /// <summary>Where each file (by index in <see cref="BackupSetHeader.Files"/>) ends up, as full paths.</summary>
    public IReadOnlyList<string> TargetPaths => _targetPaths;

    /// <summary>True once <see cref="Commit"/> renamed the files into place.</summary>
    public bool IsCommitted => _committed;

    /// <summary>Run after the files are in place, still inside <see cref="Commit"/> (the catalogue writes its manifest here).</summary>
    internal Action<DatabaseWriter>? Committed { get; set; }

    /// <summary>
    /// Resolves the target of every file, refuses existing targets without REPLACE, and creates the
    /// temporary files at their full sizes.
    /// </summary>
    /// <param name="setHeader">The backup set being restored (from the stream).</param>
    /// <param name="targetDirectory">The database directory files are restored under.</param>
    /// <param name="options">REPLACE and MOVE; defaults when null.</param>
    /// <returns>The writer; commit it after the media set is complete, dispose it in every case.</returns>
    /// <exception cref="RestoreTargetExistsException">A target exists and REPLACE was not given.</exception>
    /// <exception cref="ArgumentException">A MOVE names no file of the set or an unsafe path, or two files would share a target.</exception>
    /// <exception cref="IOException">The temporary files cannot be created (for example, the disk is full).</exception>
    public static DatabaseWriter Create(BackupSetHeader setHeader, string targetDirectory, DatabaseWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(setHeader);
        ArgumentException.ThrowIfNullOrEmpty(targetDirectory);
        options ??= new DatabaseWriterOptions();
        string directory = Path.GetFullPath(targetDirectory);
        string[] targets = ResolveTargets(setHeader, directory, options.Moves);
        foreach (string target in targets)
        {
            if (!options.Replace && (File.Exists(target) || Directory.Exists(target)))
            {
                throw new RestoreTargetExistsException(target, $"The file '{target}' exists; RESTORE overwrites existing files only WITH REPLACE.");
            }
        }

        var writer = new DatabaseWriter(setHeader, targets, options.Replace);
        try
        {
            writer.CreateTemporaryFiles();
            return writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    /// <exception cref="IOException">The write failed (for example, the disk is full).</exception>
    public void WriteBlock(int fileIndex, long fileOffset, ReadOnlySpan<byte> payload)
    {
        ObjectDisposedException.ThrowIf(_closing || _disposed, this);
        if ((uint)fileIndex >= (uint)_sizes.Length || fileOffset < 0 || fileOffset > _sizes[fileIndex] - payload.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(fileOffset), fileOffset, "The block lies outside the file.");
        }

        RandomAccess.Write(_handles[fileIndex]!, payload, fileOffset);
    }

    /// <summary>
    /// Makes the restored files durable and renames them into place (over existing files only with
    /// REPLACE). Call once, after <see cref="MediaSetAssembler.Complete"/> succeeded.
    /// </summary>
    /// <exception cref="IOException">Flushing or renaming failed; files not yet renamed are deleted at dispose.</exception>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_closing || _disposed, this);
        _closing = true;
        for (int i = 0; i < _handles.Length; i++)
        {
            RandomAccess.FlushToDisk(_handles[i]!);
        }

        // Moved while still open (and so still locked): a restore starting next to these files meanwhile never takes
        // one of them for a killed restore's.
        for (int i = 0; i < _targetPaths.Length; i++)
        {
            File.Move(_temporaryPaths[i]!, _targetPaths[i], overwrite: _replace);
            _temporaryPaths[i] = null;
        }

        for (int i = 0; i < _handles.Length; i++)
        {
            _handles[i]!.Dispose();
            _handles[i] = null;
        }

        _committed = true;
        Committed?.Invoke(this);
    }

    /// <summary>Closes the files; when not committed, deletes the temporary files.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        for (int i = 0; i < _handles.Length; i++)
        {
            _handles[i]?.Dispose();
            _handles[i] = null;
            if (_temporaryPaths[i] is { } temporary)
            {
                TryDelete(temporary);
            }
        }

        if (!_committed)
        {
            // A failed restore leaves no folder it made: deepest first, and only while empty.
            foreach (string directory in Enumerable.Reverse(_createdDirectories))
            {
                TryDeleteEmptyDirectory(directory);
            }
        }
    }

    /// <summary>
    /// Removes the temporary files of restores that were killed (a daemon that died in the middle): files in
    /// <paramref name="directory"/> named as this writer names them that no process holds open (a writer keeps each
    /// one open, with an exclusive lock, until it commits or removes it). Returns the files removed.
    /// </summary>
    public static IReadOnlyList<string> RemoveOrphans(string directory) => Files.OrphanFiles.RemoveUnheld(directory, TemporaryName());

    private void CreateTemporaryFiles()
    {
        // A random tag keeps two restores of the same target from colliding on the temporary name.
        string tag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        for (int i = 0; i < _targetPaths.Length; i++)
        {
            string target = _targetPaths[i];
            string directory = Path.GetDirectoryName(target)!;
            CreateDirectory(directory);

            // What a killed restore left where this one writes goes first: nobody holds it, and its name is ours.
            RemoveOrphans(directory);
            string temporary = string.Create(CultureInfo.InvariantCulture, $"{target}.{tag}{TemporarySuffix}");

            // Recorded only once created by us, so that cleanup can never delete a file someone else made.
            _handles[i] = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
            _temporaryPaths[i] = temporary;

            // Sized up front (sparse) so blocks can land in any order. Not preallocated: on ext4, writing
            // into fallocate'd extents measured 15 times slower than writing into a sparse file.
            RandomAccess.SetLength(_handles[i]!, _sizes[i]);
        }
    }

    private static string[] ResolveTargets(BackupSetHeader setHeader, string directory, IReadOnlyDictionary<string, string>? moves)
    {
        var byLogicalName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (logicalName, path) in moves ?? new Dictionary<string, string>())
        {
            if (!setHeader.Files.Any(file => string.Equals(file.LogicalName, logicalName, StringComparison.OrdinalIgnoreCase)))
            {
                throw new ArgumentException($"MOVE names the logical file '{logicalName}', which is not part of the backup set of '{setHeader.DatabaseName}'.", nameof(moves));
            }

            if (!byLogicalName.TryAdd(logicalName, path))
            {
                throw new ArgumentException($"MOVE names the logical file '{logicalName}' twice.", nameof(moves));
            }
        }

        var targets = new string[setHeader.Files.Count];
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < targets.Length; i++)
        {
            var file = setHeader.Files[i];
            string relativeOrAbsolute = byLogicalName.GetValueOrDefault(file.LogicalName, file.PhysicalPath);
            if (Path.IsPathFullyQualified(relativeOrAbsolute))
            {
                targets[i] = Path.GetFullPath(relativeOrAbsolute);
            }
            else if (BackupFileEntryDescriptor.IsValidPhysicalPath(relativeOrAbsolute))
            {
                targets[i] = Path.Combine(directory, relativeOrAbsolute);
            }
            else
            {
                throw new ArgumentException($"The target '{relativeOrAbsolute}' of file '{file.LogicalName}' is neither absolute nor a safe relative path.", nameof(moves));
            }

            if (!seen.Add(targets[i]))
            {
                throw new ArgumentException($"Two files of the backup set would be restored to '{targets[i]}'; use MOVE to separate them.", nameof(moves));
            }
        }

        return targets;
    }

    /// <summary>Creates <paramref name="directory"/> and the parents it lacks, remembering which were made here.</summary>
    private void CreateDirectory(string directory)
    {
        var missing = new Stack<string>();
        for (string? d = directory; d is not null && !Directory.Exists(d); d = Path.GetDirectoryName(d))
        {
            missing.Push(d);
        }

        foreach (string d in missing)
        {
            Directory.CreateDirectory(d);
            _createdDirectories.Add(d);
        }
    }

    private static void TryDeleteEmptyDirectory(string directory)
    {
        try
        {
            if (Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
            {
                Directory.Delete(directory);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Something appeared in it meanwhile: it stays.
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^.+\.[0-9a-f]{8}\.restoring$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex TemporaryName();

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the temporary name says what it is, and nothing refers to it.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
