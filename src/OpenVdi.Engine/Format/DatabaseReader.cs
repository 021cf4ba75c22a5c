using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace OpenVdi.Engine.Format;

/// <summary>
/// The data source of a BACKUP: opens every file of a database at once (shared for reading only, so no
/// other opener may write while the backup runs), fixes their sizes, and hands out runs of their bytes to
/// the stripe writers: every byte once, file by file, in ascending offset order.
/// </summary>
/// <remarks>
/// Claiming a run (<see cref="TryTake"/>) is a short lock around a cursor; reading it (<see cref="Read"/>) is
/// a positional read straight into the caller's buffer, outside the lock, so the devices' threads read
/// neighbouring runs concurrently. The sizes recorded at <see cref="Open"/> are what the backup holds; a
/// file that shrinks during the backup fails the read.
/// </remarks>
public sealed class DatabaseReader : IBackupDataSource, IDisposable
{
    private readonly Lock _cursorLock = new();
    private readonly SafeFileHandle[] _handles;
    private readonly string[] _fullPaths;
    private readonly long[] _sizes;
    private int _fileIndex;
    private long _fileOffset;
    private long _nextSequence;
    private long _bytesRead;
    private bool _disposed;

    private DatabaseReader(SafeFileHandle[] handles, string[] fullPaths, BackupFileEntry[] files)
    {
        _handles = handles;
        _fullPaths = fullPaths;
        Files = files;
        _sizes = files.Select(file => file.Size).ToArray();
        TotalBytes = _sizes.Sum();
    }

    /// <summary>The files as the backup-set header lists them, with the sizes fixed at open.</summary>
    public IReadOnlyList<BackupFileEntry> Files { get; }

    /// <summary>The sum of the file sizes.</summary>
    public long TotalBytes { get; }

    /// <summary>Bytes read so far by all writers (for STATS progress).</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>
    /// Opens the files of a database for a backup. A relative path is resolved under
    /// <paramref name="databaseDirectory"/> and recorded as it is; an absolute path inside it is recorded
    /// relative to it; an absolute path elsewhere (a file attached in place) is recorded by its file name.
    /// </summary>
    /// <param name="databaseDirectory">The database's directory.</param>
    /// <param name="files">The database's files.</param>
    /// <returns>The reader; dispose it when the backup ends.</returns>
    /// <exception cref="ArgumentException">A path is unsafe, or two files would be recorded under one path or logical name.</exception>
    /// <exception cref="IOException">A file cannot be opened, or is open for writing elsewhere.</exception>
    public static DatabaseReader Open(string databaseDirectory, IReadOnlyList<DatabaseFileSpec> files)
    {
        ArgumentException.ThrowIfNullOrEmpty(databaseDirectory);
        ArgumentNullException.ThrowIfNull(files);
        string directory = Path.GetFullPath(databaseDirectory);
        var handles = new List<SafeFileHandle>(files.Count);
        try
        {
            var fullPaths = new string[files.Count];
            var entries = new BackupFileEntry[files.Count];
            for (int i = 0; i < files.Count; i++)
            {
                var spec = files[i];
                (fullPaths[i], string recordedPath) = Resolve(directory, spec.Path);
                var handle = File.OpenHandle(fullPaths[i], FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
                handles.Add(handle);
                entries[i] = new BackupFileEntry(spec.LogicalName, recordedPath, spec.Type, RandomAccess.GetLength(handle));
            }

            // The rules the stream's reader will apply, checked before a byte is written.
            BackupSetHeader.ValidateFiles(entries, nameof(files));

            var reader = new DatabaseReader([.. handles], fullPaths, entries);
            handles.Clear();
            return reader;
        }
        finally
        {
            foreach (var handle in handles)
            {
                handle.Dispose();
            }
        }
    }

    /// <inheritdoc/>
    public bool TryTake(int maxLength, out DataExtent extent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        lock (_cursorLock)
        {
            while (_fileIndex < _sizes.Length && _fileOffset == _sizes[_fileIndex])
            {
                _fileIndex++;
                _fileOffset = 0;
            }

            if (_fileIndex == _sizes.Length)
            {
                extent = default;
                return false;
            }

            int length = (int)Math.Min(maxLength, _sizes[_fileIndex] - _fileOffset);
            extent = new DataExtent(_nextSequence++, _fileIndex, _fileOffset, length);
            _fileOffset += length;
            return true;
        }
    }

    /// <inheritdoc/>
    /// <exception cref="IOException">The file is shorter than when the backup began, or cannot be read.</exception>
    public void Read(in DataExtent extent, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if ((uint)extent.FileIndex >= (uint)_sizes.Length
            || extent.Length != destination.Length
            || extent.FileOffset < 0
            || extent.FileOffset > _sizes[extent.FileIndex] - extent.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(extent), extent, "The run lies outside the files, or the buffer is not its length.");
        }

        int done = 0;
        while (done < destination.Length)
        {
            int read = RandomAccess.Read(_handles[extent.FileIndex], destination[done..], extent.FileOffset + done);
            if (read == 0)
            {
                throw new IOException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"The file '{_fullPaths[extent.FileIndex]}' ended at {extent.FileOffset + done} bytes, but it had {_sizes[extent.FileIndex]} when the backup began: it changed during the backup."));
            }

            done += read;
        }

        Interlocked.Add(ref _bytesRead, done);
    }

    /// <summary>Closes the files.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var handle in _handles)
        {
            handle.Dispose();
        }
    }

    /// <summary>
    /// The path a backup records for a file: a relative path as it is; an absolute path inside the
    /// database directory relative to it; any other absolute path by its file name.
    /// </summary>
    internal static string RecordedPath(string directory, string path)
    {
        if (!Path.IsPathFullyQualified(path))
        {
            return path;
        }

        string relative = Path.GetRelativePath(directory, Path.GetFullPath(path)).Replace(Path.DirectorySeparatorChar, '/');
        return BackupFileEntryDescriptor.IsValidPhysicalPath(relative) ? relative : Path.GetFileName(path);
    }

    private static (string FullPath, string RecordedPath) Resolve(string directory, string path)
    {
        if (!Path.IsPathFullyQualified(path) && !BackupFileEntryDescriptor.IsValidPhysicalPath(path))
        {
            throw new ArgumentException($"The file path '{path}' is not a safe relative path.", nameof(path));
        }

        return (Path.IsPathFullyQualified(path) ? Path.GetFullPath(path) : Path.Combine(directory, path), RecordedPath(directory, path));
    }
}
