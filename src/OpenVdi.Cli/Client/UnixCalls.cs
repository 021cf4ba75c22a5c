using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;

namespace OpenVdi.Cli.Client;

/// <summary>The libc calls the tool needs beyond .NET: syncing a directory, and SIGTERM for a child daemon.</summary>
internal static class UnixCalls
{
    private const string Libc = "libc";
    private const int ORdOnly = 0;
    private const int ODirectory = 0x10000;
    private const int OCloexec = 0x80000;

    /// <summary>SIGTERM.</summary>
    public const int SigTerm = 15;

    /// <summary>Makes the directory's entries (renames, new files) durable: fsync on the directory.</summary>
    /// <exception cref="IOException">The directory cannot be opened or synced.</exception>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        byte[] path = Utf8(directory);
        int fd = Open(path, ORdOnly | ODirectory | OCloexec);
        if (fd < 0)
        {
            throw Failure($"open '{directory}'");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw Failure($"fsync '{directory}'");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Sends <paramref name="signal"/> to process <paramref name="processId"/>.</summary>
    /// <returns>True when sent.</returns>
    public static bool Signal(int processId, int signal) => Kill(processId, signal) == 0;

    private static IOException Failure(string what)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"Cannot {what}: {new Win32Exception(errno).Message}.");
    }

    private static byte[] Utf8(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    [DllImport(Libc, EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Open(byte[] path, int flags);

    [DllImport(Libc, EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Fsync(int fd);

    [DllImport(Libc, EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Close(int fd);

    [DllImport(Libc, EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int processId, int signal);
}
