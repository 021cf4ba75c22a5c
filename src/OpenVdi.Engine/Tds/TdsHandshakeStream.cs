using System.Buffers.Binary;
using System.Globalization;

namespace OpenVdi.Engine.Tds;

/// <summary>
/// The stream under the server's <see cref="System.Net.Security.SslStream"/> in TDS 7.x: while the TLS handshake
/// runs, its records travel inside PRELOGIN packets (MS-TDS 2.2.6.5), so reads take the payload out of each packet
/// and writes wrap what TLS sends in one; once the handshake is done (<see cref="Passthrough"/>), TLS records travel
/// on the connection as they are.
/// </summary>
internal sealed class TdsHandshakeStream : Stream
{
    private readonly Stream _inner;
    private readonly byte[] _header = new byte[TdsProtocol.HeaderLength];
    private int _remaining;

    public TdsHandshakeStream(Stream inner) => _inner = inner;

    /// <summary>Set once the handshake is done: bytes pass unwrapped from then on.</summary>
    public bool Passthrough { get; set; }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Passthrough)
        {
            return await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        while (_remaining == 0)
        {
            // Empty PRELOGIN packets carry nothing: read the next one.
            int read = 0;
            while (read < _header.Length)
            {
                int n = await _inner.ReadAsync(_header.AsMemory(read), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    return read == 0 ? 0 : throw new TdsProtocolException("The connection ended inside a packet header during the TLS handshake.");
                }

                read += n;
            }

            if (_header[0] != (byte)TdsPacketType.PreLogin)
            {
                throw new TdsProtocolException(string.Create(CultureInfo.InvariantCulture, $"A packet of type {_header[0]} came during the TLS handshake, where only PRELOGIN packets may."));
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(2));
            if (length < TdsProtocol.HeaderLength || length > TdsProtocol.MaxPacketSize + 1)
            {
                throw new TdsProtocolException(string.Create(CultureInfo.InvariantCulture, $"A PRELOGIN packet header gives the length {length}."));
            }

            _remaining = length - TdsProtocol.HeaderLength;
        }

        if (buffer.IsEmpty)
        {
            // A zero-byte read (SslStream's way to wait for data without a buffer): data is there now.
            return 0;
        }

        int count = await _inner.ReadAsync(buffer[..Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
        if (count == 0)
        {
            throw new TdsProtocolException("The connection ended inside a PRELOGIN packet during the TLS handshake.");
        }

        _remaining -= count;
        return count;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Passthrough)
        {
            await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            return;
        }

        await TdsPacketWriter.WriteMessageAsync(_inner, TdsPacketType.PreLogin, buffer, TdsProtocol.DefaultPacketSize, cancellationToken).ConfigureAwait(false);
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
