using System.Runtime.InteropServices;
using OpenVdi.SqlVdi.Abi;

namespace OpenVdi.SqlVdi.Objects;

/// <summary>
/// Blocks of <see cref="DeviceObject.RecordCount"/> native <c>VDC_Command</c> records, lent to open devices and kept
/// for the next ones: a process holds at most as many blocks as it ever had devices open at once.
/// </summary>
internal static unsafe class CommandRecordPool
{
    private const int BlockBytes = DeviceObject.RecordCount * VdcCommandRecord.Size;

    private static readonly Lock s_lock = new();
    private static readonly Stack<nint> s_free = new();

    /// <summary>A zeroed block.</summary>
    /// <exception cref="OutOfMemoryException">malloc failed.</exception>
    public static nint Rent()
    {
        lock (s_lock)
        {
            if (s_free.TryPop(out nint block))
            {
                return block;
            }
        }

        return (nint)NativeMemory.AllocZeroed(BlockBytes);
    }

    /// <summary>Takes a block back, zeroed, so that a stale record reads as no command at all.</summary>
    public static void Return(nint block)
    {
        // SAFETY: the block came from Rent and is BlockBytes long.
        NativeMemory.Clear((void*)block, BlockBytes);
        lock (s_lock)
        {
            s_free.Push(block);
        }
    }
}
