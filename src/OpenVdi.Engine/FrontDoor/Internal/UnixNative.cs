using System.Runtime.InteropServices;
using System.Text;

namespace OpenVdi.Engine.FrontDoor.Internal;

/// <summary>
/// The few libc calls the front door needs (Linux, 64-bit). Every signature is blittable, so no unsafe code is
/// needed: paths and names travel as NUL-terminated UTF-8 byte arrays, which the marshaller pins.
/// </summary>
internal static class UnixNative
{
    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const uint STATX_BASIC_STATS = 0x7FF;

    public const int FileTypeMask = 0xF000;
    public const int TypeDirectory = 0x4000;
    public const int TypeSocket = 0xC000;

    public const int ENOENT = 2;
    public const int ERANGE = 34;

    private const string Libc = "libc";

    /// <summary>
    /// <c>struct statx</c> (256 bytes, the same layout on every architecture): only the fields the front door
    /// reads are named.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct StatxBuffer
    {
        [FieldOffset(0)]
        public uint Mask;

        [FieldOffset(20)]
        public uint Uid;

        [FieldOffset(24)]
        public uint Gid;

        [FieldOffset(28)]
        public ushort Mode;

        [FieldOffset(32)]
        public ulong Inode;

        [FieldOffset(136)]
        public uint DeviceMajor;

        [FieldOffset(140)]
        public uint DeviceMinor;
    }

    /// <summary><c>struct group</c> on 64-bit Linux: name, password, gid, members.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct GroupEntry
    {
        public nint Name;
        public nint Password;
        public uint Gid;
        public nint Members;
    }

    /// <summary>The effective user id of this process.</summary>
    public static uint EffectiveUserId() => GetEffectiveUserId();

    /// <summary>The effective group id of this process.</summary>
    public static uint EffectiveGroupId() => GetEffectiveGroupId();

    /// <summary>Status of <paramref name="path"/> itself (a symbolic link is not followed).</summary>
    /// <returns>0, or the errno.</returns>
    public static int StatNoFollow(string path, out StatxBuffer status)
    {
        int result = Statx(AT_FDCWD, Utf8(path), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out status);
        return result == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Changes the group of <paramref name="path"/> (the owner stays).</summary>
    /// <returns>0, or the errno.</returns>
    public static int ChangeGroup(string path, uint gid) =>
        Chown(Utf8(path), uint.MaxValue /* (uid_t)-1: keep the owner */, gid) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>The id of the group named <paramref name="name"/>, through the system's group database (NSS).</summary>
    /// <returns>True when the group exists.</returns>
    public static bool TryGetGroupId(string name, out uint gid)
    {
        byte[] utf8 = Utf8(name);
        for (int size = 4096; size <= 1 << 24; size *= 4)
        {
            var buffer = new byte[size];
            int error = GetGroupByName(utf8, out var entry, buffer, (nuint)buffer.Length, out nint found);
            if (error == ERANGE)
            {
                continue;
            }

            gid = entry.Gid;
            return error == 0 && found != 0;
        }

        gid = 0;
        return false;
    }

    private static byte[] Utf8(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    [DllImport(Libc, EntryPoint = "geteuid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern uint GetEffectiveUserId();

    [DllImport(Libc, EntryPoint = "getegid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern uint GetEffectiveGroupId();

    [DllImport(Libc, EntryPoint = "statx", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int directoryFd, byte[] path, int flags, uint mask, out StatxBuffer status);

    [DllImport(Libc, EntryPoint = "chown", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Chown(byte[] path, uint owner, uint group);

    [DllImport(Libc, EntryPoint = "getgrnam_r")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int GetGroupByName(byte[] name, out GroupEntry group, byte[] buffer, nuint length, out nint result);
}
