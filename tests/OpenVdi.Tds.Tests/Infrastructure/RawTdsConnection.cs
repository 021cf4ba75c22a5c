using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace OpenVdi.Tds.Tests.Infrastructure;

/// <summary>A plain TCP connection to the TDS port, for sending what no real client would: broken packets, nothing at all.</summary>
public sealed class RawTdsConnection : IDisposable
{
    private readonly Socket _socket;

    private RawTdsConnection(Socket socket) => _socket = socket;

    public static async Task<RawTdsConnection> OpenAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return new RawTdsConnection(socket);
    }

    /// <summary>A packet: type, status, big-endian length, SPID 0, id 1, window 0, then the payload.</summary>
    public static byte[] Packet(byte type, byte status, ReadOnlySpan<byte> payload, int? length = null)
    {
        var packet = new byte[8 + payload.Length];
        packet[0] = type;
        packet[1] = status;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)(length ?? packet.Length));
        packet[6] = 1;
        payload.CopyTo(packet.AsSpan(8));
        return packet;
    }

    /// <summary>A well-formed PRELOGIN offering <paramref name="encryption"/> (0 off, 1 on, 2 not supported).</summary>
    public static byte[] PreLogin(byte encryption) => Packet(0x12, 1,
    [
        0x00, 0x00, 0x0B, 0x00, 0x06, // VERSION at 11, 6 bytes
        0x01, 0x00, 0x11, 0x00, 0x01, // ENCRYPTION at 17, 1 byte
        0xFF,
        0x10, 0x00, 0x00, 0x00, 0x00, 0x00,
        encryption,
    ]);

    public async Task SendAsync(byte[] bytes)
    {
        try
        {
            await _socket.SendAsync(bytes, SocketFlags.None);
        }
        catch (SocketException)
        {
            // The server may close on the first bad byte, before the rest is sent: that is one of its answers.
        }
    }

    /// <summary>Ends sending (the server sees the end of the stream) but keeps reading.</summary>
    public void EndSending() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Reads whatever the server answers until it closes; false if it is still open after <paramref name="limit"/>.</summary>
    public async Task<bool> ClosedByServerWithinAsync(TimeSpan limit)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            while (await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();
}
