namespace OpenVdi.Cli.Tests.Infrastructure;

/// <summary>A fresh private directory under /tmp, deleted with everything in it on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Path = Directory.CreateTempSubdirectory("ovdi-cli-").FullName;

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Every file name under the directory, recursively, relative to it, sorted.</summary>
    public IReadOnlyList<string> Files(string? under = null) =>
        Directory.Exists(under ?? Path)
            ? [.. Directory.EnumerateFiles(under ?? Path, "*", SearchOption.AllDirectories).Select(f => System.IO.Path.GetRelativePath(under ?? Path, f)).Order(StringComparer.Ordinal)]
            : [];

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
