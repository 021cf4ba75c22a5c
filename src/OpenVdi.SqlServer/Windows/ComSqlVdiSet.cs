using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using OpenVdi.SqlServer.Binding;

namespace OpenVdi.SqlServer.Windows;

/// <summary>
/// A COM object of sqlvdi.dll through <see cref="ISqlVdiClientVirtualDeviceSet2"/>: every member goes through its
/// vtable as it is (UTF-16 names, <c>DWORD</c> timeouts with <c>INFINITE</c> as it is, the instance name passed on).
/// The object is held as a unique runtime-callable wrapper, released when the set object is disposed.
/// </summary>
internal sealed unsafe class ComSqlVdiSet : INativeSet
{
    /// <summary>One ComWrappers for the binding: it makes the wrappers, and the source-generated vtables marshal.</summary>
    internal static readonly StrategyBasedComWrappers Wrappers = new();

    private readonly ISqlVdiClientVirtualDeviceSet2 _set;

    private ComSqlVdiSet(ISqlVdiClientVirtualDeviceSet2 set, string description)
    {
        _set = set;
        Description = description;
    }

    public string Description { get; }

    /// <summary>
    /// Wraps a COM object given as its IUnknown (the caller keeps its own reference): sqlvdi.dll's after activation, or
    /// any object implementing <c>IClientVirtualDeviceSet2</c>.
    /// </summary>
    /// <exception cref="InvalidCastException">The object does not implement <c>IClientVirtualDeviceSet2</c>.</exception>
    public static ComSqlVdiSet FromUnknown(nint unknown, string description) =>
        new((ISqlVdiClientVirtualDeviceSet2)Wrap(unknown), description);

    public VdiResult Create(string name, ref VdConfig config)
    {
        fixed (VdConfig* pointer = &config)
        {
            return Result(_set.Create(name, pointer));
        }
    }

    public VdiResult CreateEx(string? instanceName, string name, ref VdConfig config)
    {
        fixed (VdConfig* pointer = &config)
        {
            return Result(_set.CreateEx(instanceName, name, pointer));
        }
    }

    public VdiResult GetConfiguration(uint timeoutMs, out VdConfig config)
    {
        VdConfig answer = default;
        var result = Result(_set.GetConfiguration(timeoutMs, &answer));
        config = answer;
        return result;
    }

    public VdiResult OpenDevice(string name, out INativeDevice? device)
    {
        nint opened = 0;
        var result = Result(_set.OpenDevice(name, &opened));
        device = null;
        if (opened == 0)
        {
            return result == VdiResult.NOERROR ? VdiResult.VD_E_UNEXPECTED : result;
        }

        try
        {
            if (result == VdiResult.NOERROR)
            {
                device = new ComSqlVdiDevice((ISqlVdiClientVirtualDevice)Wrap(opened));
            }
        }
        finally
        {
            // The out pointer is a reference of ours; the wrapper holds its own.
            Marshal.Release(opened);
        }

        return result;
    }

    public VdiResult Close() => Result(_set.Close());

    public VdiResult SignalAbort() => Result(_set.SignalAbort());

    public VdiResult OpenInSecondary(string setName) => Result(_set.OpenInSecondary(setName));

    public VdiResult OpenInSecondaryEx(string? instanceName, string setName) => Result(_set.OpenInSecondaryEx(instanceName, setName));

    public VdiResult GetBufferHandle(nint buffer, out uint bufferHandle)
    {
        uint handle = 0;
        var result = Result(_set.GetBufferHandle((byte*)buffer, &handle));
        bufferHandle = handle;
        return result;
    }

    public VdiResult MapBufferHandle(uint bufferHandle, out nint buffer)
    {
        byte* address = null;
        var result = Result(_set.MapBufferHandle(bufferHandle, &address));
        buffer = (nint)address;
        return result;
    }

    /// <summary>Releases the COM object (the wrapper's reference).</summary>
    public void Dispose() => Release(_set);

    /// <summary>The HRESULT as the documented result.</summary>
    internal static VdiResult Result(int hresult) => (VdiResult)unchecked((uint)hresult);

    /// <summary>
    /// A wrapper of its own for <paramref name="unknown"/>, never the managed object behind a COM pointer made by .NET:
    /// every call goes through the vtable.
    /// </summary>
    internal static object Wrap(nint unknown) => Wrappers.GetOrCreateObjectForComInstance(unknown, CreateObjectFlags.UniqueInstance);

    /// <summary>Releases the reference a wrapper from <see cref="Wrap"/> holds.</summary>
    internal static void Release(object wrapper)
    {
        if (wrapper is ComObject com)
        {
            com.FinalRelease();
        }
    }
}
