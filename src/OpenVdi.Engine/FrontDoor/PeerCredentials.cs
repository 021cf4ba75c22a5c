using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace OpenVdi.Engine.FrontDoor;

/// <summary>
/// Who is at the other end of a Unix domain socket, as the kernel recorded it when the peer connected
/// (<c>SO_PEERCRED</c>: process, user and primary group; <c>SO_PEERGROUPS</c>: supplementary groups).
/// </summary>
/// <param name="ProcessId">The peer's process id at connect time.</param>
/// <param name="UserId">The peer's effective user id.</param>
/// <param name="GroupId">The peer's effective (primary) group id.</param>
/// <param name="SupplementaryGroups">The peer's supplementary groups; empty when the kernel does not report them.</param>
public sealed record PeerCredentials(int ProcessId, uint UserId, uint GroupId, IReadOnlyList<uint> SupplementaryGroups)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;
    private const int SoPeerGroups = 59;

    /// <summary>Whether the peer is in group <paramref name="gid"/>, as its primary or a supplementary group.</summary>
    /// <param name="gid">A group id.</param>
    /// <returns>True when the peer belongs to the group.</returns>
    public bool IsInGroup(uint gid) => GroupId == gid || SupplementaryGroups.Contains(gid);

    /// <summary>Reads the credentials of the peer of a connected Unix domain socket (getsockopt).</summary>
    /// <param name="socket">An accepted or connected Unix domain stream socket.</param>
    /// <returns>The peer's credentials.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is null.</exception>
    /// <exception cref="SocketException">The kernel gave no credentials (not a Unix domain socket, or not connected).</exception>
    public static PeerCredentials Of(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);

        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }: three 32-bit fields in native byte order.
        Span<int> ucred = stackalloc int[3];
        int length = socket.GetRawSocketOption(SolSocket, SoPeerCred, MemoryMarshal.AsBytes(ucred));
        if (length < 3 * sizeof(int))
        {
            throw new SocketException((int)SocketError.ProtocolOption);
        }

        return new PeerCredentials(ucred[0], (uint)ucred[1], (uint)ucred[2], SupplementaryGroupsOf(socket));
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"pid {ProcessId}, uid {UserId}, gid {GroupId}");

    private static uint[] SupplementaryGroupsOf(Socket socket)
    {
        // NGROUPS_MAX is 65536; most processes have a handful. The kernel answers ERANGE when the buffer is short.
        foreach (int capacity in (ReadOnlySpan<int>)[64, 65536])
        {
            var groups = new uint[capacity];
            try
            {
                int length = socket.GetRawSocketOption(SolSocket, SoPeerGroups, MemoryMarshal.AsBytes(groups.AsSpan()));
                return groups[..(length / sizeof(uint))];
            }
            catch (SocketException)
            {
                // Too small (ERANGE): try the largest; not supported (kernel before 4.13): no supplementary groups.
            }
        }

        return [];
    }
}
