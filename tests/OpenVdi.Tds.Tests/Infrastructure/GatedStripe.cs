namespace OpenVdi.Tds.Tests.Infrastructure;

/// <summary>
/// A backup stripe that counts what it is written, and holds its first flush (the device's first VDC_Flush) until
/// <see cref="Gate"/> opens: the engine cannot end the statement before then, so a message that arrives while the
/// flush waits arrived live.
/// </summary>
internal sealed class GatedStripe(Task gate) : Stream
{
    private bool _held;

    public Task Gate { get; } = gate;

    public string? Failure { get; private set; }

    public long Bytes { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => Bytes;

    public override long Position
    {
        get => Bytes;
        set => throw new NotSupportedException();
    }

    public override void Write(ReadOnlySpan<byte> buffer) => Bytes += buffer.Length;

    public override void Write(byte[] buffer, int offset, int count) => Bytes += count;

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Bytes += buffer.Length;
        return ValueTask.CompletedTask;
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (!_held)
        {
            _held = true;
            if (await Task.WhenAny(Gate, Task.Delay(TimeSpan.FromSeconds(60), cancellationToken)) != Gate)
            {
                Failure = "the message the flush waited for did not arrive while the backup ran";
            }
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
