using System.Buffers.Binary;

namespace OpenVdi.Engine.Tds;

/// <summary>
/// Cuts the server's token stream into packets of the negotiated size: full packets as the bytes come,
/// <see cref="FlushAsync"/> to send a part-filled packet at once (so that a message reaches the client while the
/// statement still runs), <see cref="EndMessageAsync"/> for the last packet, marked end-of-message. The last packet
/// must carry tokens: callers end a message in the same breath as they write its final DONE. Not thread-safe: one
/// writer task owns it.
/// </summary>
internal sealed class TdsPacketWriter
{
    private readonly ushort _spid;
    private byte[] _packet;
    private int _filled = TdsProtocol.HeaderLength;
    private byte _packetId = 1;

    public TdsPacketWriter(Stream stream, ushort spid, int packetSize = TdsProtocol.DefaultPacketSize)
    {
        Stream = stream;
        _spid = spid;
        _packet = new byte[packetSize];
    }

    /// <summary>Where the packets go.</summary>
    public Stream Stream { get; set; }

    /// <summary>The packet size; changed only between messages (after LOGIN7 settles it).</summary>
    public int PacketSize
    {
        get => _packet.Length;
        set
        {
            if (_filled != TdsProtocol.HeaderLength)
            {
                throw new InvalidOperationException("The packet size changes only between messages.");
            }

            _packet = new byte[value];
        }
    }

    /// <summary>Adds token bytes to the message, sending every packet that fills up.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> tokens, CancellationToken cancellationToken)
    {
        while (!tokens.IsEmpty)
        {
            // A full packet goes only once more bytes are known to follow, so that the message's last packet is
            // never empty (SqlClient waits on past an empty end-of-message packet).
            if (_filled == _packet.Length)
            {
                await SendAsync(TdsPacketStatus.Normal, cancellationToken).ConfigureAwait(false);
            }

            int take = Math.Min(_packet.Length - _filled, tokens.Length);
            tokens.Span[..take].CopyTo(_packet.AsSpan(_filled));
            _filled += take;
            tokens = tokens[take..];
        }
    }

    /// <summary>Sends what is waiting as a packet that is not the message's last (nothing when nothing waits).</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_filled > TdsProtocol.HeaderLength)
        {
            await SendAsync(TdsPacketStatus.Normal, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends the message's last packet.</summary>
    public ValueTask EndMessageAsync(CancellationToken cancellationToken) => SendAsync(TdsPacketStatus.EndOfMessage, cancellationToken);

    /// <summary>Sends <paramref name="payload"/> as one whole message of <paramref name="type"/> (PRELOGIN's answer, a TLS flight).</summary>
    public static async ValueTask WriteMessageAsync(Stream stream, TdsPacketType type, ReadOnlyMemory<byte> payload, int packetSize, CancellationToken cancellationToken)
    {
        byte id = 1;
        int chunk = packetSize - TdsProtocol.HeaderLength;
        do
        {
            int take = Math.Min(chunk, payload.Length);
            bool last = take == payload.Length;
            var packet = new byte[TdsProtocol.HeaderLength + take];
            WriteHeader(packet, type, last ? TdsPacketStatus.EndOfMessage : TdsPacketStatus.Normal, 0, id++);
            payload.Span[..take].CopyTo(packet.AsSpan(TdsProtocol.HeaderLength));
            await stream.WriteAsync(packet, cancellationToken).ConfigureAwait(false);
            payload = payload[take..];
        }
        while (!payload.IsEmpty);

        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask SendAsync(TdsPacketStatus status, CancellationToken cancellationToken)
    {
        WriteHeader(_packet.AsSpan(0, _filled), TdsPacketType.TabularResult, status, _spid, _packetId);

        // The packet id counts packets modulo 256; clients ignore it, but SQL Server numbers them.
        _packetId = unchecked((byte)(_packetId + 1));
        if ((status & TdsPacketStatus.EndOfMessage) != 0)
        {
            _packetId = 1;
        }

        await Stream.WriteAsync(_packet.AsMemory(0, _filled), cancellationToken).ConfigureAwait(false);
        await Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        _filled = TdsProtocol.HeaderLength;
    }

    private static void WriteHeader(Span<byte> packet, TdsPacketType type, TdsPacketStatus status, ushort spid, byte id)
    {
        packet[0] = (byte)type;
        packet[1] = (byte)status;
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..], (ushort)packet.Length);
        BinaryPrimitives.WriteUInt16BigEndian(packet[4..], spid);
        packet[6] = id;
        packet[7] = 0;
    }
}
