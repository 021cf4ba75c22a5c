namespace OpenVdi.Engine.FrontDoor.Internal;

/// <summary>Reads newline-delimited frames from a stream, refusing any frame longer than a limit.</summary>
internal sealed class FrameReader
{
    private readonly Stream _stream;
    private readonly int _maxFrameBytes;
    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;

    public FrameReader(Stream stream, int maxFrameBytes)
    {
        _stream = stream;
        _maxFrameBytes = maxFrameBytes;
    }

    /// <summary>The next frame, or null when the peer closed the stream between frames.</summary>
    /// <exception cref="FrameException">The frame is too long, cut short by the end of the stream, or not a frame.</exception>
    /// <exception cref="IOException">The connection failed.</exception>
    public async ValueTask<Frame?> ReadAsync(CancellationToken cancellationToken)
    {
        int scanned = 0;
        while (true)
        {
            int newline = _buffer.AsSpan(_start + scanned, _end - _start - scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                int length = scanned + newline;
                if (length + 1 > _maxFrameBytes)
                {
                    throw TooLong();
                }

                // The document keeps the bytes it parsed, so it gets its own copy.
                byte[] line = _buffer.AsSpan(_start, length).ToArray();
                _start += length + 1;
                return Frame.Parse(line);
            }

            scanned = _end - _start;
            if (scanned >= _maxFrameBytes)
            {
                throw TooLong();
            }

            MakeRoom();
            int read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return _end == _start ? null : throw new FrameException("The connection ended in the middle of a frame.");
            }

            _end += read;
        }
    }

    private void MakeRoom()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, _maxFrameBytes + 1));
        }
    }

    private FrameException TooLong() => new($"A frame is longer than {_maxFrameBytes} bytes.");
}
