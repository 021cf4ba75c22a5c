using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace OpenVdi.Engine.Tests.FrontDoor.Infrastructure;

/// <summary>A connection to the daemon that sends and reads raw lines, to test the protocol from outside.</summary>
public sealed class RawConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    private RawConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(_stream, new UTF8Encoding(false));
    }

    public static async Task<RawConnection> OpenAsync(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        return new RawConnection(socket);
    }

    public async Task SendAsync(string line)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
    }

    public async Task SendBytesAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>The next frame, or null at the end of the connection.</summary>
    public async Task<JsonElement?> ReadAsync()
    {
        string? line = await _reader.ReadLineAsync().WaitAsync(DaemonHarness.Limit);
        return line is null ? null : JsonDocument.Parse(line).RootElement;
    }

    /// <summary>Every frame until the daemon closes the connection.</summary>
    public async Task<List<JsonElement>> ReadToEndAsync()
    {
        var frames = new List<JsonElement>();
        while (await ReadAsync() is { } frame)
        {
            frames.Add(frame);
        }

        return frames;
    }

    public void Dispose()
    {
        _reader.Dispose();
        _socket.Dispose();
    }
}
