using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;

namespace OpenVdi.Engine.Tds;

/// <summary>
/// Reads whole TDS messages from a connection: packets of one type up to the one marked end-of-message, each header
/// checked (length within 8 … <see cref="TdsProtocol.MaxPacketSize"/>), the message bounded by the caller's limit.
/// The stream can be swapped between messages (plain TCP, TLS, plain again after a login-only TLS).
/// </summary>
internal sealed class TdsPacketReader
{
    /// <summary>The first byte of a TLS handshake record: what a TDS 8.0 (strict) client sends first.</summary>
    private const byte TlsHandshakeRecord = 0x16;

    private readonly byte[] _header = new byte[TdsProtocol.HeaderLength];

    public TdsPacketReader(Stream stream) => Stream = stream;

    /// <summary>Where the packets come from.</summary>
    public Stream Stream { get; set; }

    /// <summary>Reads the next message.</summary>
    /// <param name="maxBytes">The most payload the message may carry.</param>
    /// <param name="cancellationToken">Stops the read (the connection is then unusable).</param>
    /// <param name="expected">The only type the message may have, checked on its first header; null for any.</param>
    /// <returns>The message; null when the client closed the connection between messages.</returns>
    /// <exception cref="TdsProtocolException">A bad header, a message too long or not of the expected type, packets of mixed types, or the connection ended inside a message.</exception>
    public async Task<TdsMessage?> ReadMessageAsync(int maxBytes, CancellationToken cancellationToken, TdsPacketType? expected = null)
    {
        var payload = new ArrayBufferWriter<byte>();
        TdsPacketType? type = null;
        var status = TdsPacketStatus.Normal;
        while (true)
        {
            if (!await ReadExactAsync(_header, allowEnd: type is null, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            var packetType = (TdsPacketType)_header[0];
            var packetStatus = (TdsPacketStatus)_header[1];
            int length = BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(2));
            // SqlClient accepts a Packet Size of up to 32768, one more than SQL Server settles on: read those too.
            if (length < TdsProtocol.HeaderLength || length > TdsProtocol.MaxPacketSize + 1)
            {
                throw new TdsProtocolException(string.Create(CultureInfo.InvariantCulture, $"A packet header gives the length {length}, outside 8 … {TdsProtocol.MaxPacketSize + 1}."));
            }

            if (type is null)
            {
                if (expected is { } only && packetType != only)
                {
                    throw new TdsProtocolException(_header[0] == TlsHandshakeRecord
                        ? "The client began with TLS (TDS 8.0, Encrypt=Strict), which this engine does not speak: use Encrypt=Mandatory (TLS inside TDS 7.4)."
                        : string.Create(CultureInfo.InvariantCulture, $"A message of type {(byte)packetType} came where {only} was expected."));
                }

                type = packetType;
                status = packetStatus;
            }
            else if (packetType != type)
            {
                throw new TdsProtocolException(string.Create(CultureInfo.InvariantCulture, $"A packet of type {(byte)packetType} came inside a message of type {(byte)type}."));
            }

            int data = length - TdsProtocol.HeaderLength;
            if (payload.WrittenCount + data > maxBytes)
            {
                throw new TdsProtocolException(string.Create(CultureInfo.InvariantCulture, $"A message of type {(byte)type} is longer than the {maxBytes} bytes the engine reads."));
            }

            var memory = payload.GetMemory(data)[..data];
            await ReadExactAsync(memory, allowEnd: false, cancellationToken).ConfigureAwait(false);
            payload.Advance(data);
            if ((packetStatus & TdsPacketStatus.EndOfMessage) != 0)
            {
                return new TdsMessage(type.Value, status, payload.WrittenSpan.ToArray());
            }
        }
    }

    private async Task<bool> ReadExactAsync(Memory<byte> buffer, bool allowEnd, CancellationToken cancellationToken)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await Stream.ReadAsync(buffer[read..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                if (read == 0 && allowEnd)
                {
                    return false;
                }

                throw new TdsProtocolException("The connection ended inside a packet.");
            }

            read += n;
        }

        return true;
    }
}
