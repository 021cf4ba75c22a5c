using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using OpenVdi.SqlServer.Windows;

namespace OpenVdi.SqlServer.TestPeer;

/// <summary>
/// <c>IClientVirtualDeviceSet2</c> implemented by OpenVdi's client: what sqlvdi.dll's object is on Windows, on the
/// other side of the binding's vtable calls. Every method answers what <see cref="ClientVirtualDeviceSet"/> answers.
/// </summary>
[GeneratedComClass]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A COM object: its client ends the set through Close, as sqlvdi.dll's clients do.")]
internal sealed unsafe partial class ComStandInSet : ISqlVdiClientVirtualDeviceSet2
{
    private readonly ClientVirtualDeviceSet _set = new();

    /// <summary>Every call this object received, by method name, in order: the vtable tests read it.</summary>
    public List<string> Calls { get; } = [];

    /// <summary>The instance name the last CreateEx or OpenInSecondaryEx received, as it arrived (null stays null).</summary>
    public string? LastInstanceName { get; private set; }

    public int Create(string name, VdConfig* config) => Answer(nameof(Create), _set.Create(name, *config));

    public int GetConfiguration(uint timeoutMs, VdConfig* config)
    {
        var result = _set.GetConfiguration(timeoutMs, out var answer);
        *config = answer;
        return Answer(nameof(GetConfiguration), result);
    }

    public int OpenDevice(string name, nint* device)
    {
        var result = _set.OpenDevice(name, out var opened);
        *device = result == VdiResult.NOERROR ? ComStandInDevice.CreateInterface(opened!) : 0;
        return Answer(nameof(OpenDevice), result);
    }

    public int Close() => Answer(nameof(Close), _set.Close());

    public int SignalAbort() => Answer(nameof(SignalAbort), _set.SignalAbort());

    public int OpenInSecondary(string setName) => Answer(nameof(OpenInSecondary), _set.OpenInSecondary(setName));

    public int GetBufferHandle(byte* buffer, uint* bufferHandle)
    {
        var result = _set.GetBufferHandle((nint)buffer, out uint handle);
        *bufferHandle = handle;
        return Answer(nameof(GetBufferHandle), result);
    }

    public int MapBufferHandle(uint bufferHandle, byte** buffer)
    {
        var result = _set.MapBufferHandle(bufferHandle, out nint address);
        *buffer = (byte*)address;
        return Answer(nameof(MapBufferHandle), result);
    }

    public int CreateEx(string? instanceName, string name, VdConfig* config)
    {
        LastInstanceName = instanceName;
        return Answer(nameof(CreateEx), _set.CreateEx(instanceName, name, *config));
    }

    public int OpenInSecondaryEx(string? instanceName, string setName)
    {
        LastInstanceName = instanceName;
        return Answer(nameof(OpenInSecondaryEx), _set.OpenInSecondaryEx(instanceName, setName));
    }

    private int Answer(string method, VdiResult result)
    {
        lock (Calls)
        {
            Calls.Add(method);
        }

        return unchecked((int)result);
    }
}
