using System.Runtime.InteropServices;
using OpenVdi.Transport;

namespace OpenVdi.Engine.FrontDoor.Internal;

/// <summary>
/// What the front door asks of the system beyond .NET (who runs it, a file's status, a group's id, a file's group),
/// in its own terms: errno values as results. The libc calls themselves are <see cref="Posix"/>'s.
/// </summary>
internal static class UnixNative
{
    public const int ENOENT = Posix.ENOENT;
    public const int FileTypeMask = Posix.FileTypeMask;
    public const int TypeDirectory = Posix.FileTypeDirectory;
    public const int TypeSocket = Posix.FileTypeSocket;

    /// <summary>The effective user id of this process.</summary>
    public static uint EffectiveUserId() => Posix.GetEffectiveUserId();

    /// <summary>The effective group id of this process.</summary>
    public static uint EffectiveGroupId() => Posix.GetEffectiveGroupId();

    /// <summary>Status of <paramref name="path"/> itself (a symbolic link is not followed).</summary>
    /// <returns>0, or the errno.</returns>
    public static int StatNoFollow(string path, out Posix.StatxBuffer status) =>
        Posix.Statx(Posix.AT_FDCWD, path, Posix.AT_SYMLINK_NOFOLLOW, Posix.STATX_BASIC_STATS, out status) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>Changes the group of <paramref name="path"/> (the owner stays).</summary>
    /// <returns>0, or the errno.</returns>
    public static int ChangeGroup(string path, uint gid) =>
        Posix.Chown(path, uint.MaxValue /* (uid_t)-1: keep the owner */, gid) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>The id of the group named <paramref name="name"/>, through the system's group database (NSS).</summary>
    /// <returns>True when the group exists.</returns>
    public static bool TryGetGroupId(string name, out uint gid) => Posix.TryGetGroupId(name, out gid);
}
