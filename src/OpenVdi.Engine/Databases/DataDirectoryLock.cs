using System.Globalization;
using OpenVdi.Engine.Files;
using OpenVdi.Engine.Format;

namespace OpenVdi.Engine.Databases;

/// <summary>
/// One engine per data directory: the lock file <c>.openvdi-engine.lock</c> in it, held open with an exclusive lock for
/// as long as an engine serves the directory (the kernel drops the lock however the engine ends), and beside it
/// <c>.openvdi-engine.pid</c> with the holder's pid (a file locked that way cannot be read by others). Two engines on one
/// directory would restore over each other's files; the second is refused at start with the first one's pid. Holding
/// the lock, an engine also knows that what a killed engine left in the directory is nobody's any more.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    /// <summary>The lock file's name in the data directory.</summary>
    public const string FileName = ".openvdi-engine.lock";

    private const string PidFileName = ".openvdi-engine.pid";

    private readonly FileStream _file;

    private DataDirectoryLock(string dataDirectory, FileStream file)
    {
        DataDirectory = dataDirectory;
        _file = file;
    }

    /// <summary>The data directory held.</summary>
    public string DataDirectory { get; }

    /// <summary>Takes the data directory for this process, creating it (and the lock file) if need be.</summary>
    /// <exception cref="IOException">Another engine holds it (the message names its pid), or it cannot be created.</exception>
    public static DataDirectoryLock Acquire(string dataDirectory)
    {
        dataDirectory = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(dataDirectory);
        string path = Path.Combine(dataDirectory, FileName);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            string holder = ReadHolder(Path.Combine(dataDirectory, PidFileName)) is { } pid ? $" (pid {pid})" : string.Empty;
            throw new IOException(
                $"Another engine{holder} already serves the data directory '{dataDirectory}'. Two engines on one data directory would overwrite each other's restores: stop the other one, or give this one another data directory.",
                e);
        }

        // The holder's pid, for the message a second engine gives.
        File.WriteAllText(Path.Combine(dataDirectory, PidFileName), Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        return new DataDirectoryLock(dataDirectory, file);
    }

    /// <summary>
    /// Removes what killed runs left in the data directory: the staging folders of sample databases being made, and
    /// the temporary files of restores, with the database folders they alone occupied. Returns what was removed.
    /// </summary>
    public IReadOnlyList<string> RemoveOrphans()
    {
        var removed = new List<string>(StagingDirectory.RemoveOrphans(DataDirectory));
        foreach (string folder in Directory.GetDirectories(DataDirectory))
        {
            var files = DatabaseWriter.RemoveOrphans(folder);
            removed.AddRange(files);
            if (files.Count > 0 && !Directory.EnumerateFileSystemEntries(folder).Any())
            {
                // A database folder that held nothing but a killed restore's files: the restore made it.
                Directory.Delete(folder);
                removed.Add(folder);
            }
        }

        return removed;
    }

    private static string? ReadHolder(string path)
    {
        try
        {
            string? line = File.ReadLines(path).FirstOrDefault();
            return int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid.ToString(CultureInfo.InvariantCulture) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Lets the data directory go (the lock file stays, unlocked).</summary>
    public void Dispose() => _file.Dispose();
}
