using System.Runtime.InteropServices;

namespace OpenVdi.SqlServer.Linux;

/// <summary>
/// The memory of one <c>ClientVirtualDeviceSet</c> object: allocated zeroed, constructed (C1), and at the end closed,
/// destroyed (D1) and freed, once, by whoever releases it last (Dispose, or the finalizer of a forgotten object).
/// </summary>
internal sealed class SqlVdiSetHandle : SafeHandle
{
    /// <summary>
    /// The header declares an 8-byte object (one pointer); a library built from a later header may keep more in it, so
    /// the object gets room to spare. Zeroed: a constructor that reads before it writes finds nothing stale.
    /// </summary>
    private const int ObjectBytes = 64;

    /// <summary>An object not constructed yet (the marshaller's constructor; <see cref="Construct"/> makes real ones).</summary>
    public SqlVdiSetHandle()
        : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>A constructed object.</summary>
    /// <exception cref="OutOfMemoryException">No memory for the object.</exception>
    public static unsafe SqlVdiSetHandle Construct()
    {
        var result = new SqlVdiSetHandle();
        nint memory = (nint)NativeMemory.AllocZeroed(ObjectBytes);
        try
        {
            LibSqlVdi.ConstructSet(memory);
        }
        catch
        {
            NativeMemory.Free((void*)memory);
            throw;
        }

        result.SetHandle(memory);
        return result;
    }

    /// <summary>Close (VD_E_PROTOCOL when no set is open), D1, free: the header's object ends as a C++ client ends it.</summary>
    protected override unsafe bool ReleaseHandle()
    {
        // NOERROR, VD_E_OPEN (the library aborted the set) or VD_E_PROTOCOL (none open): the object ends either way.
        _ = LibSqlVdi.Close(handle);
        LibSqlVdi.DestroySet(handle);
        NativeMemory.Free((void*)handle);
        return true;
    }
}
