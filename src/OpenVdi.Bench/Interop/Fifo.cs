using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using OpenVdi.Transport;

namespace OpenVdi.Bench.Interop;

/// <summary>
/// Named pipes (FIFOs) for the pipe rows, with what .NET does not offer: making one, opening it without waiting for
/// the other end, and raising its capacity (F_SETPIPE_SZ) so a pipe gets a fair number of bytes in flight.
/// </summary>
internal static class Fifo
{
    /// <summary>Makes a FIFO at <paramref name="path"/>, mode 0600.</summary>
    /// <exception cref="IOException">mkfifo failed.</exception>
    public static void Create(string path)
    {
        if (Posix.MakeFifo(path, Convert.ToUInt32("600", 8)) != 0)
        {
            throw Failure($"mkfifo '{path}'");
        }
    }

    /// <summary>
    /// Opens the read end at once, whether or not a writer is there yet (O_NONBLOCK), then makes reads blocking again.
    /// A read before any writer opened answers end of file, so callers open the reader first and start reading only
    /// once the writer says it is connected.
    /// </summary>
    public static FileStream OpenReader(string path) => OpenStream(path, Posix.O_RDONLY, FileAccess.Read);

    /// <summary>Opens the write end; the reader must already be open (else ENXIO, not a wait).</summary>
    public static FileStream OpenWriter(string path) => OpenStream(path, Posix.O_WRONLY, FileAccess.Write);

    /// <summary>
    /// Opens both ends at once for writing (O_RDWR, which Linux allows on a FIFO and which never waits): the pipe has
    /// a writer from the start, so the other side's reads wait for data instead of answering end of file.
    /// </summary>
    public static FileStream OpenHeldWriter(string path) => OpenStream(path, Posix.O_RDWR, FileAccess.Write);

    /// <summary>Raises the pipe's capacity to <paramref name="bytes"/>, or to the system's maximum if that is less.</summary>
    /// <returns>The capacity now.</returns>
    public static int Resize(FileStream pipe, int bytes)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        int max = int.TryParse(File.ReadAllText("/proc/sys/fs/pipe-max-size").Trim(), out int m) ? m : 1 << 20;
        int size = Posix.Fcntl(Descriptor(pipe.SafeFileHandle), Posix.F_SETPIPE_SZ, Math.Min(bytes, max));
        return size > 0 ? size : throw Failure("F_SETPIPE_SZ");
    }

    private static FileStream OpenStream(string path, int access, FileAccess fileAccess)
    {
        int fd = Posix.Open(path, access | Posix.O_NONBLOCK | Posix.O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw Failure($"open '{path}'");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        int flags = Posix.Fcntl(fd, Posix.F_GETFL, 0);
        if (flags < 0 || Posix.Fcntl(fd, Posix.F_SETFL, flags & ~Posix.O_NONBLOCK) < 0)
        {
            handle.Dispose();
            throw Failure($"fcntl '{path}'");
        }

        // No buffer of FileStream's own: every Read and Write is one system call on the caller's span.
        return new FileStream(handle, fileAccess, bufferSize: 0);
    }

    private static int Descriptor(SafeFileHandle handle) => (int)handle.DangerousGetHandle();

    private static IOException Failure(string what) =>
        new($"Cannot {what}: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}.");
}
