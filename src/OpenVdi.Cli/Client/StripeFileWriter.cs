namespace OpenVdi.Cli.Client;

/// <summary>
/// One stripe of a backup being written: a file under its temporary name, written straight from the device's
/// shared buffer, made durable on request. Mode 0600: a backup holds the database's data.
/// </summary>
internal sealed class StripeFileWriter : IDisposable
{
    private readonly FileStream _file;
    private readonly Stream _stream;
    private long _length;

    /// <param name="family">The stripe's 1-based family number.</param>
    /// <param name="partialPath">The temporary file, created here.</param>
    /// <param name="finalPath">Where the stripe goes when the backup succeeded.</param>
    /// <param name="filter">
    /// Wraps the file's stream: writes and flushes go through what it returns (a test seam, e.g. a disk that fills up);
    /// the file itself is still made durable and closed here. Null writes to the file directly.
    /// </param>
    public StripeFileWriter(int family, string partialPath, string finalPath, Func<Stream, Stream>? filter = null)
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

        _file = new FileStream(partialPath, options);
        try
        {
            _stream = filter?.Invoke(_file) ?? _file;
        }
        catch
        {
            _file.Dispose();
            File.Delete(partialPath);
            throw;
        }
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
    public void Flush()
    {
        if (!ReferenceEquals(_stream, _file))
        {
            _stream.Flush();
        }

        _file.Flush(flushToDisk: true);
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        _stream.Dispose();
        _file.Dispose();
    }

    /// <summary>Closes and deletes the temporary file.</summary>
    public void Delete()
    {
        Dispose();
        File.Delete(PartialPath);
    }
}
