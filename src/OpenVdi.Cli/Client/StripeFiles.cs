using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using OpenVdi.Engine.Files;

namespace OpenVdi.Cli.Client;

/// <summary>
/// How a backup directory holds a media set: one file per stripe (device), <c>stripe-01.bak</c> to
/// <c>stripe-64.bak</c>, each exactly the stream its device carried. While a backup runs its stripes are written
/// under hidden temporary names (<c>.stripe-01.bak.&lt;random&gt;.partial</c>) and renamed into place only when the
/// statement succeeded, so a directory never holds something that looks like a backup and is not one.
/// </summary>
internal static partial class StripeFiles
{
    /// <summary>The file name of stripe <paramref name="family"/> (1-based).</summary>
    public static string FinalName(int family) => string.Create(CultureInfo.InvariantCulture, $"stripe-{family:00}.bak");

    /// <summary>The stripe files of a backup directory, in name order; empty when there are none.</summary>
    public static IReadOnlyList<string> Find(string directory) =>
        Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory)
                .Where(path => StripeName().IsMatch(Path.GetFileName(path)))
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];

    /// <summary>
    /// Creates the temporary files of a backup of <paramref name="count"/> stripes in <paramref name="directory"/>
    /// (created if needed, mode 0700 when new).
    /// </summary>
    /// <param name="directory">The backup directory.</param>
    /// <param name="count">The number of stripes, 1 to 64.</param>
    /// <param name="filter">Wraps each stripe file's stream (see <see cref="StripeFileWriter"/>); null for none.</param>
    /// <exception cref="IOException">The directory already holds a backup, or a file cannot be created.</exception>
    public static BackupStripes CreateForBackup(string directory, int count, Func<Stream, Stream>? filter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 64);
        directory = Path.GetFullPath(directory);
        bool created = !Directory.Exists(directory);
        if (created)
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var existing = Find(directory);
        if (existing.Count > 0)
        {
            throw new IOException($"'{directory}' already holds a backup ({string.Join(", ", existing.Select(Path.GetFileName))}); choose another directory.");
        }

        // A killed backup's partial stripes: named as only this writer names them, and held by no process (a writer
        // keeps its partial stripe open, with an exclusive lock, until it renames or deletes it).
        var orphans = OrphanFiles.RemoveUnheld(directory, PartialName());

        string token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var writers = new List<StripeFileWriter>(count);
        try
        {
            for (int family = 1; family <= count; family++)
            {
                string partial = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $".{FinalName(family)}.{token}.partial"));
                writers.Add(new StripeFileWriter(family, partial, Path.Combine(directory, FinalName(family)), filter));
            }
        }
        catch
        {
            foreach (var writer in writers)
            {
                writer.Delete();
            }

            if (created)
            {
                BackupStripes.DeleteIfEmpty(directory);
            }

            throw;
        }

        return new BackupStripes(directory, writers, created, orphans);
    }

    /// <summary>Opens every stripe of the backup in <paramref name="directory"/> for reading.</summary>
    /// <exception cref="IOException">The directory holds no stripe file, or one cannot be opened.</exception>
    public static RestoreStripes OpenForRestore(string directory)
    {
        directory = Path.GetFullPath(directory);
        var paths = Find(directory);
        if (paths.Count == 0)
        {
            throw new IOException(Directory.Exists(directory)
                ? $"'{directory}' holds no backup (no {FinalName(1)}, …)."
                : $"'{directory}' does not exist.");
        }

        if (paths.Count > 64)
        {
            throw new IOException($"'{directory}' holds {paths.Count} stripe files; a media set has at most 64.");
        }

        var readers = new List<StripeFileReader>(paths.Count);
        try
        {
            foreach (string path in paths)
            {
                readers.Add(new StripeFileReader(path));
            }
        }
        catch
        {
            foreach (var reader in readers)
            {
                reader.Dispose();
            }

            throw;
        }

        return new RestoreStripes(directory, readers);
    }

    [GeneratedRegex(@"^stripe-[0-9]{2}\.bak$", RegexOptions.CultureInvariant)]
    private static partial Regex StripeName();

    [GeneratedRegex(@"^\.stripe-[0-9]{2}\.bak\.[0-9a-f]{8}\.partial$", RegexOptions.CultureInvariant)]
    private static partial Regex PartialName();
}
