using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace OpenVdi.Engine.Files;

/// <summary>
/// A hidden folder next to where a new folder is to appear (<c>.openvdi-staging.&lt;label&gt;.&lt;tag&gt;</c>), filled first
/// and moved into place in one rename when complete, so that a half-made folder never shows under the real name and
/// nothing outside it is ever written or deleted. Its lock file (the folder's name plus <c>.lock</c>, held open with an
/// exclusive lock while the folder is used) proves whose it is: a staging folder whose lock nobody holds was left by a
/// process that was killed, and <see cref="RemoveOrphans"/> removes it.
/// </summary>
internal sealed partial class StagingDirectory : IDisposable
{
    private const string Prefix = ".openvdi-staging.";
    private readonly FileStream _lock;
    private bool _done;

    private StagingDirectory(string path, FileStream lockFile)
    {
        Path = path;
        _lock = lockFile;
    }

    /// <summary>The staging folder.</summary>
    public string Path { get; }

    /// <summary>Makes a staging folder under <paramref name="parent"/> for a folder called <paramref name="label"/>.</summary>
    public static StagingDirectory Create(string parent, string label)
    {
        string tag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        string path = System.IO.Path.Combine(parent, $"{Prefix}{label}.{tag}");
        var lockFile = new FileStream(path + ".lock", FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        try
        {
            Directory.CreateDirectory(path);
            return new StagingDirectory(path, lockFile);
        }
        catch
        {
            lockFile.Dispose();
            File.Delete(path + ".lock");
            throw;
        }
    }

    /// <summary>Moves the folder to <paramref name="target"/>, which must not exist or be an empty folder.</summary>
    public void MoveTo(string target)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        if (Directory.Exists(target) && !Directory.EnumerateFileSystemEntries(target).Any())
        {
            Directory.Delete(target);
        }

        Directory.Move(Path, target);
        _done = true;
        _lock.Dispose();
        File.Delete(Path + ".lock");
    }

    /// <summary>Removes the folder and its lock file unless it was moved into place.</summary>
    public void Dispose()
    {
        if (_done)
        {
            return;
        }

        _done = true;
        Remove(Path);
        _lock.Dispose();
        File.Delete(Path + ".lock");
    }

    /// <summary>
    /// Removes the staging folders under <paramref name="parent"/> whose lock nobody holds (their creator was killed).
    /// Returns the folders removed.
    /// </summary>
    public static IReadOnlyList<string> RemoveOrphans(string parent)
    {
        var removed = new List<string>();
        foreach (string lockPath in OrphanFiles.RemoveUnheld(parent, LockName()))
        {
            string folder = lockPath[..^".lock".Length];
            Remove(folder);
            removed.Add(folder);
        }

        return removed;
    }

    private static void Remove(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the hidden name says what it is, and the next sweep tries again.
        }
    }

    [GeneratedRegex(@"^\.openvdi-staging\..+\.[0-9a-f]{8}\.lock$", RegexOptions.CultureInvariant)]
    private static partial Regex LockName();
}
