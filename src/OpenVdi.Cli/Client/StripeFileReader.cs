using Microsoft.Win32.SafeHandles;

namespace OpenVdi.Cli.Client;

/// <summary>
/// One stripe of a backup being read back, as the source of the device's copy: reads of any size, in order, each
/// filling as much as is left (fewer bytes only at the end of the stripe). A failure names the stripe.
/// </summary>
internal sealed class StripeFileReader : Stream
{
    private readonly SafeFileHandle _handle;
    private long _position;

    public StripeFileReader(string path)
    {
        Path = path;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Length = RandomAccess.GetLength(_handle);
    }

    /// <summary>The stripe file.</summary>
    public string Path { get; }

    /// <summary>The stripe's length in bytes.</summary>
    public override long Length { get; }

    /// <summary>Bytes read so far (read from any thread).</summary>
    public override long Position
    {
        get => Volatile.Read(ref _position);
        set => throw new NotSupportedException();
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    /// <summary>
    /// Fills <paramref name="buffer"/> with the next bytes of the stripe; fewer only at the end of the stripe, and 0
    /// once it was all read.
    /// </summary>
    /// <exception cref="IOException">The read failed; the message names the stripe.</exception>
    public override int Read(Span<byte> buffer)
    {
        int total = 0;
        try
        {
            while (total < buffer.Length)
            {
                int read = RandomAccess.Read(_handle, buffer[total..], _position);
                if (read == 0)
                {
                    break;
                }

                total += read;
                Volatile.Write(ref _position, _position + read);
            }
        }
        catch (IOException e)
        {
            throw new IOException($"read from {System.IO.Path.GetFileName(Path)} failed: {e.Message}", e.HResult);
        }

        return total;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    /// <summary>As <see cref="Read(Span{byte})"/>, completing synchronously: a local file's read is served from the page cache or by read-ahead.</summary>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        try
        {
            return ValueTask.FromResult(Read(buffer.Span));
        }
        catch (IOException e)
        {
            return ValueTask.FromException<int>(e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _handle.Dispose();
        }

        base.Dispose(disposing);
    }
}
