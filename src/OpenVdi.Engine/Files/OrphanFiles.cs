using System.Text.RegularExpressions;

namespace OpenVdi.Engine.Files;

/// <summary>
/// Finds and removes the temporary files that OpenVdi's writers leave when their process is killed: files whose names
/// only OpenVdi makes (a restore's <c>*.&lt;tag&gt;.restoring</c>, a backup's hidden <c>.stripe-NN.bak.&lt;tag&gt;.partial</c>,
/// a sample database's staging folder) and that no process holds any more. Every such writer keeps its file open with
/// an exclusive lock for as long as it works on it (.NET takes an advisory <c>flock</c> for <see cref="FileShare.None"/>),
/// and the kernel drops that lock however the process ends: a file nobody holds is provably an orphan.
/// </summary>
public static class OrphanFiles
{
    /// <summary>
    /// Whether a process holds <paramref name="path"/> with an exclusive lock. False for a file that cannot be opened
    /// for another reason (it is gone, or it is not ours to open): it is then not taken for an orphan either.
    /// </summary>
    public static bool IsHeld(string path)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>
    /// Removes the files directly in <paramref name="directory"/> whose names match <paramref name="pattern"/> and that
    /// no process holds. Returns the paths removed. Best effort: a file that cannot be removed stays, unnamed.
    /// </summary>
    public static IReadOnlyList<string> RemoveUnheld(string directory, Regex pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var removed = new List<string>();
        foreach (string path in Enumerate(directory))
        {
            if (pattern.IsMatch(Path.GetFileName(path)) && !IsHeld(path) && TryDelete(path))
            {
                removed.Add(path);
            }
        }

        return removed;
    }

    private static string[] Enumerate(string directory)
    {
        try
        {
            return Directory.Exists(directory) ? Directory.GetFiles(directory) : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
