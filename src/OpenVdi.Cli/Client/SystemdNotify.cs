using System.Net.Sockets;
using System.Text;

namespace OpenVdi.Cli.Client;

/// <summary>
/// sd_notify(3) without libsystemd: when a service manager set <c>NOTIFY_SOCKET</c>, a datagram of
/// <c>KEY=VALUE</c> lines to that socket says the service is ready (<c>READY=1</c>) or stopping (<c>STOPPING=1</c>).
/// A <c>@</c> at the start names a socket in the abstract namespace. Without <c>NOTIFY_SOCKET</c> it does nothing.
/// Written here because the protocol is one datagram and .NET's sockets already speak it; no package is needed.
/// </summary>
internal static class SystemdNotify
{
    /// <summary>The variable a service manager sets to the socket it listens on.</summary>
    public const string Variable = "NOTIFY_SOCKET";

    /// <summary>Sends <paramref name="state"/> (lines of <c>KEY=VALUE</c>) to the service manager, if there is one.</summary>
    /// <returns>True when sent; false without <c>NOTIFY_SOCKET</c>.</returns>
    /// <exception cref="IOException">The socket named cannot be reached.</exception>
    public static bool Send(string state)
    {
        string? path = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(path))
        {
            return false;
        }

        if (path[0] == '@')
        {
            path = "\0" + path[1..];
        }

        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.SendTo(Encoding.UTF8.GetBytes(state), new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException e)
        {
            throw new IOException($"{Variable} '{path.TrimStart('\0')}' cannot be reached: {e.Message}", e);
        }
    }
}
