namespace OpenVdi.Engine.Format;

/// <summary>How a <see cref="DatabaseWriter"/> places the restored files.</summary>
public sealed class DatabaseWriterOptions
{
    /// <summary>WITH REPLACE: existing files at the targets are overwritten (only once the restore succeeded).</summary>
    public bool Replace { get; init; }

    /// <summary>
    /// WITH MOVE 'logical' TO 'path': logical file name (ignoring case) to target path. A relative path is
    /// taken under the target directory and must be a safe relative path; an absolute path is used as given.
    /// Files not named here keep the path the backup recorded.
    /// </summary>
    public IReadOnlyDictionary<string, string> Moves { get; init; } = new Dictionary<string, string>();
}
