namespace OpenVdi.Cli.Client;

/// <summary>
/// One stripe of a backup being written, as the destination of the device's copy: a file under its temporary name,
/// written straight from the device's shared buffer, whose <see cref="Flush"/> makes it durable (fsync), so that a
/// VDC_Flush or VDC_Complete is completed only once the stripe has landed. Mode 0600: a backup holds the database's
/// data. A failure names the stripe and keeps the system's error code, which the device reports to the engine.
/// </summary>
internal sealed class StripeFileWriter : Stream
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

    /// <summary>Bytes written so far (read from any thread).</summary>
    public override long Length => Volatile.Read(ref _length);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Position
    {
        get => Length;
        set => throw new NotSupportedException();
    }

    /// <summary>Appends <paramref name="buffer"/> (the device's buffer, in place).</summary>
    /// <exception cref="IOException">The write failed (disk full, I/O error); the message names the stripe.</exception>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        try
        {
            _stream.Write(buffer);
        }
        catch (IOException e)
        {
            throw Named("write to", e);
        }

        Volatile.Write(ref _length, _length + buffer.Length);
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    /// <summary>
    /// As <see cref="Write(ReadOnlySpan{byte})"/>, completing synchronously: a write to a local file lands in the page
    /// cache, and Linux has no asynchronous buffered file write to wait on instead.
    /// </summary>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        try
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
        catch (IOException e)
        {
            return ValueTask.FromException(e);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Makes everything written so far durable (fsync).</summary>
    /// <exception cref="IOException">The flush failed; the message names the stripe.</exception>
    public override void Flush()
    {
        try
        {
            if (!ReferenceEquals(_stream, _file))
            {
                _stream.Flush();
            }

            _file.Flush(flushToDisk: true);
        }
        catch (IOException e)
        {
            throw Named("flush", e);
        }
    }

    /// <summary>As <see cref="Flush"/>, on a pool thread: fsync blocks.</summary>
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.Run(Flush, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Closes and deletes the temporary file.</summary>
    public void Delete()
    {
        Dispose();
        File.Delete(PartialPath);
    }

    /// <summary>Closes the file.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stream.Dispose();
            _file.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>The failure with the stripe's name in front, and the system's code kept (ENOSPC stays a full disk).</summary>
    private IOException Named(string what, IOException e) =>
        new($"{what} {Path.GetFileName(FinalPath)} failed: {e.Message}", e.HResult);
}
