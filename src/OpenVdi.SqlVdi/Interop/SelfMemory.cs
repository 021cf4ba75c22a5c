using System.Runtime.InteropServices;

namespace OpenVdi.SqlVdi.Interop;

/// <summary>
/// Reads and writes 8 bytes of this process's memory at an address the client gave, without faulting when the address
/// maps nothing: <c>process_vm_readv</c>/<c>process_vm_writev</c> on this very process answer EFAULT where a load
/// or store would raise SIGSEGV. Used for the set object's slot, which the client allocates and may hand over as any
/// pointer at all. Costs one system call; the per-command calls (GetCommand, CompleteCommand) never come here.
/// </summary>
/// <remarks>
/// Where the calls are not allowed (a seccomp filter that refuses them answers EPERM or ENOSYS) the access falls
/// back to a plain load or store, which still refuses the first page (null and small offsets from it).
/// </remarks>
internal static unsafe partial class SelfMemory
{
    private const string Libc = "libc";
    private const int EPERM = 1;
    private const int ENOSYS = 38;

    /// <summary>Addresses below this are never mapped: null and small offsets from it.</summary>
    private const nint FirstMappableAddress = 4096;

    private static int s_unavailable;

    /// <summary>Reads the 8 bytes at <paramref name="address"/>; false when they are not readable.</summary>
    public static bool TryRead(nint address, out ulong value)
    {
        value = 0;
        if (address < FirstMappableAddress)
        {
            return false;
        }

        ulong read = 0;
        if (Volatile.Read(ref s_unavailable) == 0)
        {
            var local = new IoVector { Base = &read, Length = sizeof(ulong) };
            var remote = new IoVector { Base = (void*)address, Length = sizeof(ulong) };

            // getpid() each time, not a cached id: a forked child must read its own memory, not its parent's.
            if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == sizeof(ulong))
            {
                value = read;
                return true;
            }

            if (!TurnedUnavailable())
            {
                return false;
            }
        }

        // SAFETY: only where the kernel refuses the checked read; the address is past the first page.
        value = *(ulong*)address;
        return true;
    }

    /// <summary>Writes the 8 bytes at <paramref name="address"/>; false when they are not writable.</summary>
    public static bool TryWrite(nint address, ulong value)
    {
        if (address < FirstMappableAddress)
        {
            return false;
        }

        if (Volatile.Read(ref s_unavailable) == 0)
        {
            var local = new IoVector { Base = &value, Length = sizeof(ulong) };
            var remote = new IoVector { Base = (void*)address, Length = sizeof(ulong) };
            if (process_vm_writev(getpid(), &local, 1, &remote, 1, 0) == sizeof(ulong))
            {
                return true;
            }

            if (!TurnedUnavailable())
            {
                return false;
            }
        }

        // SAFETY: only where the kernel refuses the checked write; the address is past the first page.
        *(ulong*)address = value;
        return true;
    }

    /// <summary>After a failed call: true when the calls are refused here (not an EFAULT), which is then remembered.</summary>
    private static bool TurnedUnavailable()
    {
        int error = Marshal.GetLastPInvokeError();
        if (error is EPERM or ENOSYS)
        {
            Volatile.Write(ref s_unavailable, 1);
            return true;
        }

        return false;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVector
    {
        public void* Base;
        public nuint Length;
    }

    [LibraryImport(Libc, SetLastError = true)]
    private static partial nint process_vm_readv(int pid, IoVector* localIov, nuint localCount, IoVector* remoteIov, nuint remoteCount, nuint flags);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial nint process_vm_writev(int pid, IoVector* localIov, nuint localCount, IoVector* remoteIov, nuint remoteCount, nuint flags);

    [LibraryImport(Libc)]
    private static partial int getpid();
}
