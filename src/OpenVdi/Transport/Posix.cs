using System.Runtime.InteropServices;

namespace OpenVdi.Transport;

/// <summary>
/// Every libc call OpenVdi makes beyond .NET (Linux, x86-64 and arm64), for the transport, the engine's front door,
/// the tool and the bench alike: the one place where their signatures, constants and structure layouts are written.
/// </summary>
internal static unsafe partial class Posix
{
    private const string Libc = "libc";

    public const int O_RDONLY = 0x0;
    public const int O_WRONLY = 0x1;
    public const int O_RDWR = 0x2;
    public const int O_NONBLOCK = 0x800;
    public const int O_DIRECTORY = 0x10000;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_NOFOLLOW = 0x20000;
    public const int O_CLOEXEC = 0x80000;

    public const int PROT_NONE = 0x0;
    public const int PROT_READ = 0x1;
    public const int PROT_WRITE = 0x2;
    public const int MAP_SHARED = 0x01;
    public const int MAP_PRIVATE = 0x02;
    public const int MAP_FIXED = 0x10;
    public const int MAP_ANONYMOUS = 0x20;
    public const int MAP_NORESERVE = 0x4000;
    public const int MADV_POPULATE_WRITE = 23;

    public const int F_GETFL = 3;
    public const int F_SETFL = 4;
    public const int F_SETPIPE_SZ = 1031;
    public const int F_OFD_GETLK = 36;
    public const int F_OFD_SETLK = 37;
    public const short F_WRLCK = 1;
    public const short F_UNLCK = 2;
    public const int SEEK_SET = 0;
    public const int SEEK_END = 2;

    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int ENOENT = 2;
    public const int EEXIST = 17;
    public const int EACCES = 13;
    public const int ERANGE = 34;
    public const int ETIMEDOUT = 110;

    public const int SIGINT = 2;
    public const int SIGTERM = 15;

    /// <summary>The file type bits of <see cref="StatxBuffer.Mode"/> (S_IFMT), and two of the types (S_IFDIR, S_IFSOCK).</summary>
    public const int FileTypeMask = 0xF000;
    public const int FileTypeDirectory = 0x4000;
    public const int FileTypeSocket = 0xC000;

    public static readonly nint MapFailed = -1;

    /// <summary><c>struct flock</c> on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Flock
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
    }

    /// <summary><c>struct timespec</c> on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int Ftruncate(int fd, long length);

    /// <summary>Reserves the file's blocks now; returns an errno (ENOSPC when /dev/shm is full) instead of a later SIGBUS.</summary>
    [LibraryImport(Libc, EntryPoint = "posix_fallocate")]
    public static partial int Fallocate(int fd, long offset, long length);

    [LibraryImport(Libc, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int Fchmod(int fd, int mode);

    [LibraryImport(Libc, EntryPoint = "lseek", SetLastError = true)]
    public static partial long Lseek(int fd, long offset, int whence);

    [LibraryImport(Libc, EntryPoint = "pread", SetLastError = true)]
    public static partial nint Pread(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Libc, EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Unlink(string path);

    public const uint RENAME_NOREPLACE = 1;

    /// <summary>renameat2: moves a file to a new name atomically; with RENAME_NOREPLACE, EEXIST if the name is taken.</summary>
    [LibraryImport(Libc, EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RenameAt2(int oldDirectory, string oldPath, int newDirectory, string newPath, uint flags);

    [LibraryImport(Libc, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport(Libc, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint address, nuint length);

    [LibraryImport(Libc, EntryPoint = "madvise", SetLastError = true)]
    public static partial int Madvise(nint address, nuint length, int advice);

    [LibraryImport(Libc, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int FcntlLock(int fd, int command, Flock* lockInfo);

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_EMPTY_PATH = 0x1000;
    public const uint STATX_INO = 0x100;
    public const uint STATX_BASIC_STATS = 0x7FF;

    /// <summary><c>struct statx</c>: 256 bytes, the same layout on every architecture; only the fields read are named.</summary>
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
    public struct GroupEntry
    {
        public nint Name;
        public nint Password;
        public uint Gid;
        public nint Members;
    }

    [LibraryImport(Libc, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(int dirfd, string path, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport(Libc, EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();

    [LibraryImport(Libc, EntryPoint = "getegid")]
    public static partial uint GetEffectiveGroupId();

    [LibraryImport(Libc, EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chown(string path, uint owner, uint group);

    [LibraryImport(Libc, EntryPoint = "getgrnam_r", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int GetGroupByName(string name, out GroupEntry group, byte* buffer, nuint length, out nint result);

    [LibraryImport(Libc, EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport(Libc, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int processId, int signal);

    [LibraryImport(Libc, EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MakeFifo(string path, uint mode);

    /// <summary><c>fcntl</c> with an integer argument (F_GETFL, F_SETFL, F_SETPIPE_SZ).</summary>
    [LibraryImport(Libc, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    /// <summary>
    /// The id of the group named <paramref name="name"/>, through the system's group database (NSS), growing the
    /// buffer getgrnam_r needs while it answers ERANGE.
    /// </summary>
    /// <returns>True when the group exists.</returns>
    public static bool TryGetGroupId(string name, out uint gid)
    {
        for (int size = 4096; size <= 1 << 24; size *= 4)
        {
            var buffer = new byte[size];
            int error;
            GroupEntry entry;
            nint found;

            // SAFETY: the buffer is pinned for the call and its length passed with it; the entry's pointers, which
            // point into it, are not read.
            fixed (byte* bytes = buffer)
            {
                error = GetGroupByName(name, out entry, bytes, (nuint)buffer.Length, out found);
            }

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

    [LibraryImport(Libc, EntryPoint = "getpid")]
    public static partial int GetPid();

    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    public static partial long Syscall(long number, nint address, int operation, int value, Timespec* timeout, nint address2, int value3);

    public static int LastError => Marshal.GetLastPInvokeError();
}
