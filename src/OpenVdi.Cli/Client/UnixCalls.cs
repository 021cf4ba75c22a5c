using System.ComponentModel;
using System.Runtime.InteropServices;
using OpenVdi.Transport;

namespace OpenVdi.Cli.Client;

/// <summary>What the tool asks of the system beyond .NET: syncing a directory, and signals for a child daemon. The libc calls are <see cref="Posix"/>'s.</summary>
internal static class UnixCalls
{
    /// <summary>SIGTERM.</summary>
    public const int SigTerm = Posix.SIGTERM;

    /// <summary>SIGINT (Ctrl+C).</summary>
    public const int SigInt = Posix.SIGINT;

    /// <summary>Makes the directory's entries (renames, new files) durable: fsync on the directory.</summary>
    /// <exception cref="IOException">The directory cannot be opened or synced.</exception>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int fd = Posix.Open(directory, Posix.O_RDONLY | Posix.O_DIRECTORY | Posix.O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw Failure($"open '{directory}'");
        }

        try
        {
            if (Posix.Fsync(fd) != 0)
            {
                throw Failure($"fsync '{directory}'");
            }
        }
        finally
        {
            _ = Posix.Close(fd);
        }
    }

    /// <summary>Sends <paramref name="signal"/> to process <paramref name="processId"/>.</summary>
    /// <returns>True when sent.</returns>
    public static bool Signal(int processId, int signal) => Posix.Kill(processId, signal) == 0;

    private static IOException Failure(string what)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"Cannot {what}: {new Win32Exception(errno).Message}.");
    }
}
