namespace OpenVdi.Cli.Tests.Infrastructure;

/// <summary>
/// A disk with room for so many bytes over all the stripe files of a backup: a write that still fits goes to the
/// file; the first that does not (and every one after) goes to <c>/dev/full</c>, so that the kernel itself fails it
/// with ENOSPC and .NET throws the very IOException a full disk gives.
/// </summary>
public sealed class FillingDisk(long room)
{
    private long _room = room;
    private int _refused;

    /// <summary>Writes refused so far.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>The filter for <c>BackupApplication.StripeStreamFilter</c>.</summary>
    public Stream Wrap(Stream file) => new Writer(this, file);

    private bool TryTake(int bytes)
    {
        if (Interlocked.Add(ref _room, -bytes) >= 0)
        {
            return true;
        }

        Interlocked.Increment(ref _refused);
        return false;
    }

    private sealed class Writer(FillingDisk disk, Stream file) : Stream
    {
        private readonly FileStream _full = new("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (disk.TryTake(buffer.Length))
            {
                file.Write(buffer);
            }
            else
            {
                _full.Write(buffer);
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Flush() => file.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _full.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
