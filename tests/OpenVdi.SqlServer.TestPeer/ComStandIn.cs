using System.Runtime.InteropServices;
using OpenVdi.SqlServer.Binding;
using OpenVdi.SqlServer.Windows;

namespace OpenVdi.SqlServer.TestPeer;

/// <summary>
/// Stands in for sqlvdi.dll on Linux: OpenVdi's client half exposed as a COM object (<see cref="ComStandInSet"/>),
/// whose COM pointer the Windows binding wraps exactly as it wraps the object CoCreateInstance returns. Every call of
/// the binding then goes through the source-generated vtables and marshalling, and is answered by a real VDI client.
/// </summary>
public static class ComStandIn
{
    /// <summary>The Windows binding over a new stand-in object.</summary>
    public static IClientVirtualDeviceSet2 CreateBinding()
    {
        nint unknown = CreateUnknown(new ComStandInSet());
        try
        {
            return new NativeClientVirtualDeviceSet(ComSqlVdiSet.FromUnknown(unknown, "a stand-in COM object over OpenVdi's client"));
        }
        finally
        {
            Marshal.Release(unknown);
        }
    }

    /// <summary>The IUnknown of a COM object for <paramref name="instance"/> (a reference of the caller's).</summary>
    internal static nint CreateUnknown(object instance) =>
        ComSqlVdiSet.Wrappers.GetOrCreateComInterfaceForObject(instance, CreateComInterfaceFlags.None);
}
