namespace OpenVdi.Cli.Client;

/// <summary>
/// One stripe of a backup being written: a file under its temporary name, written straight from the device's
/// shared buffer, made durable on request. Mode 0600: a backup holds the database's data.
/// </summary>
internal sealed class StripeFileWriter : IDisposable
{
    private readonly FileStream _stream;
    private long _length;

    public StripeFileWriter(int family, string partialPath, string finalPath)
    {
        Family = family;
        PartialPath = partialPath;
        FinalPath = finalPath;
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        _stream = new FileStream(partialPath, options);
    }

    /// <summary>The stripe's 1-based family number.</summary>
    public int Family { get; }

    /// <summary>Where the stripe is written until the backup succeeds.</summary>
    public string PartialPath { get; }

    /// <summary>Where the stripe goes when the backup succeeded.</summary>
    public string FinalPath { get; }

    /// <summary>Bytes written so far.</summary>
    public long Length => Volatile.Read(ref _length);

    /// <summary>Appends <paramref name="data"/> (the device's buffer, in place).</summary>
    /// <exception cref="IOException">The write failed (disk full, I/O error).</exception>
    public void Write(ReadOnlySpan<byte> data)
    {
        _stream.Write(data);
        Volatile.Write(ref _length, _length + data.Length);
    }

    /// <summary>Makes everything written so far durable (fsync).</summary>
    /// <exception cref="IOException">The flush failed.</exception>
    public void Flush() => _stream.Flush(flushToDisk: true);

    /// <summary>Closes the file.</summary>
    public void Dispose() => _stream.Dispose();

    /// <summary>Closes and deletes the temporary file.</summary>
    public void Delete()
    {
        _stream.Dispose();
        File.Delete(PartialPath);
    }
}
