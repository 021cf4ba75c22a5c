namespace OpenVdi.Cli.Client;

/// <summary>Every stripe of a backup, open for reading: device <c>i</c> of the restore serves stripe <c>i</c> in name order.</summary>
internal sealed class RestoreStripes : IDisposable
{
    private readonly List<StripeFileReader> _readers;

    public RestoreStripes(string directory, List<StripeFileReader> readers)
    {
        Directory = directory;
        _readers = readers;
    }

    /// <summary>The backup directory, a full path.</summary>
    public string Directory { get; }

    /// <summary>The number of stripes (and of devices).</summary>
    public int Count => _readers.Count;

    /// <summary>Bytes over all stripes.</summary>
    public long TotalBytes => _readers.Sum(r => r.Length);

    /// <summary>Bytes served so far over all stripes.</summary>
    public long BytesRead => _readers.Sum(r => r.Position);

    /// <summary>The stripe paths.</summary>
    public IReadOnlyList<string> Paths => [.. _readers.Select(r => r.Path)];

    /// <summary>The reader of device <paramref name="index"/> (0-based).</summary>
    public StripeFileReader this[int index] => _readers[index];

    public void Dispose()
    {
        foreach (var reader in _readers)
        {
            reader.Dispose();
        }
    }
}
