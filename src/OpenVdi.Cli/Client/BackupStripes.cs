namespace OpenVdi.Cli.Client;

/// <summary>
/// The stripes of a backup being written. <see cref="Commit"/> makes them durable and renames them into place;
/// <see cref="Abandon"/> (or disposing without a commit) deletes them, leaving the directory as it was.
/// </summary>
internal sealed class BackupStripes : IDisposable
{
    private readonly List<StripeFileWriter> _writers;
    private readonly bool _createdDirectory;
    private bool _finished;

    /// <param name="directory">The backup directory.</param>
    /// <param name="writers">The stripes, in device order.</param>
    /// <param name="createdDirectory">Whether the backup made the directory (an abandoned backup then removes it, if empty).</param>
    /// <param name="removedOrphans">Partial stripes of a killed backup, removed from the directory before this one began.</param>
    public BackupStripes(string directory, List<StripeFileWriter> writers, bool createdDirectory, IReadOnlyList<string> removedOrphans)
    {
        Directory = directory;
        _writers = writers;
        _createdDirectory = createdDirectory;
        RemovedOrphans = removedOrphans;
    }

    /// <summary>The backup directory, a full path.</summary>
    public string Directory { get; }

    /// <summary>Partial stripes of a backup that was killed, found in the directory and removed before this one began.</summary>
    public IReadOnlyList<string> RemovedOrphans { get; }

    /// <summary>The number of stripes.</summary>
    public int Count => _writers.Count;

    /// <summary>Bytes written over all stripes.</summary>
    public long TotalBytes => _writers.Sum(w => w.Length);

    /// <summary>The final paths the stripes get on commit.</summary>
    public IReadOnlyList<string> FinalPaths => [.. _writers.Select(w => w.FinalPath)];

    /// <summary>The writer of device <paramref name="index"/> (0-based: the set's first device writes stripe 1).</summary>
    public StripeFileWriter this[int index] => _writers[index];

    /// <summary>
    /// Makes every stripe durable, renames each to its final name (never over an existing file), and makes the
    /// renames durable. If any step fails, every file of this backup is deleted and the error thrown.
    /// </summary>
    /// <exception cref="IOException">A flush or rename failed; nothing of the backup is left.</exception>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _finished = true;
        var renamed = new List<StripeFileWriter>();
        try
        {
            foreach (var writer in _writers)
            {
                writer.Flush();
            }

            // Renamed while still open (and so still locked): a run starting in the same directory meanwhile never
            // takes a partial stripe of this one for a killed run's.
            foreach (var writer in _writers)
            {
                File.Move(writer.PartialPath, writer.FinalPath, overwrite: false);
                renamed.Add(writer);
            }

            foreach (var writer in _writers)
            {
                writer.Dispose();
            }

            UnixCalls.SyncDirectory(Directory);
            if (_createdDirectory)
            {
                // The new directory's own entry is durable only once its parent is synced too.
                UnixCalls.SyncDirectory(System.IO.Path.GetDirectoryName(Directory)!);
            }
        }
        catch
        {
            foreach (var writer in renamed)
            {
                File.Delete(writer.FinalPath);
            }

            foreach (var writer in _writers)
            {
                writer.Delete();
            }

            if (_createdDirectory)
            {
                DeleteIfEmpty(Directory);
            }

            throw;
        }
    }

    /// <summary>
    /// Deletes every temporary file, and the directory if the backup made it and it is empty: a failed or cancelled
    /// backup leaves nothing behind.
    /// </summary>
    public void Abandon()
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        foreach (var writer in _writers)
        {
            writer.Delete();
        }

        if (_createdDirectory)
        {
            DeleteIfEmpty(Directory);
        }
    }

    /// <summary>Removes <paramref name="directory"/> if nothing is in it.</summary>
    internal static void DeleteIfEmpty(string directory)
    {
        try
        {
            if (!System.IO.Directory.EnumerateFileSystemEntries(directory).Any())
            {
                System.IO.Directory.Delete(directory);
            }
        }
        catch (IOException)
        {
            // Something appeared in it meanwhile: it stays.
        }
    }

    /// <summary>Abandons the backup unless it was committed.</summary>
    public void Dispose() => Abandon();
}
