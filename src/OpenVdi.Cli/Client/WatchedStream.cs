namespace OpenVdi.Cli.Client;

/// <summary>
/// A stripe as a device's copy sees it, telling the set's <see cref="DeviceWatchdog"/> when this side is busy with
/// it: a write, read or flush is activity, and while one runs (a slow disk) the set is not stalled.
/// </summary>
internal sealed class WatchedStream(Stream inner, DeviceWatchdog watchdog) : Stream
{
    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        watchdog.Began();
        try
        {
            return inner.Read(buffer);
        }
        finally
        {
            watchdog.Done();
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        watchdog.Began();
        try
        {
            return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            watchdog.Done();
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        watchdog.Began();
        try
        {
            inner.Write(buffer);
        }
        finally
        {
            watchdog.Done();
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        watchdog.Began();
        try
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            watchdog.Done();
        }
    }

    public override void Flush()
    {
        watchdog.Began();
        try
        {
            inner.Flush();
        }
        finally
        {
            watchdog.Done();
        }
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        watchdog.Began();
        try
        {
            await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            watchdog.Done();
        }
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
