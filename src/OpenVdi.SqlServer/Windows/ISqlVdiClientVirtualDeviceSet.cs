using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using OpenVdi.SqlVdi.Abi;

namespace OpenVdi.SqlServer.Windows;

/// <summary>
/// <c>IClientVirtualDeviceSet</c> as sqlvdi.dll implements it: IUnknown's three slots, then these eight in this order
/// (slots 3 to 10, spec §3.1). Every method returns its HRESULT (PreserveSig): VD_E_TIMEOUT and VD_E_CLOSE are answers,
/// not failures. Names are UTF-16 (<c>LPCWSTR</c>).
/// </summary>
[GeneratedComInterface(StringMarshalling = StringMarshalling.Utf16)]
[Guid(SqlVdiGuids.ClientVirtualDeviceSet)]
internal unsafe partial interface ISqlVdiClientVirtualDeviceSet
{
    /// <summary>Slot 3: <c>Create(LPCWSTR lpName, VDConfig* pCfg)</c>.</summary>
    [PreserveSig]
    int Create(string name, VdConfig* config);

    /// <summary>Slot 4: <c>GetConfiguration(DWORD dwTimeOut, VDConfig* pCfg)</c>.</summary>
    [PreserveSig]
    int GetConfiguration(uint timeoutMs, VdConfig* config);

    /// <summary>Slot 5: <c>OpenDevice(LPCWSTR lpName, IClientVirtualDevice** ppVirtualDevice)</c>; the pointer is the caller's reference.</summary>
    [PreserveSig]
    int OpenDevice(string name, nint* device);

    /// <summary>Slot 6: <c>Close()</c>.</summary>
    [PreserveSig]
    int Close();

    /// <summary>Slot 7: <c>SignalAbort()</c>.</summary>
    [PreserveSig]
    int SignalAbort();

    /// <summary>Slot 8: <c>OpenInSecondary(LPCWSTR lpSetName)</c>.</summary>
    [PreserveSig]
    int OpenInSecondary(string setName);

    /// <summary>Slot 9: <c>GetBufferHandle(BYTE* pBuffer, DWORD* pBufferHandle)</c>.</summary>
    [PreserveSig]
    int GetBufferHandle(byte* buffer, uint* bufferHandle);

    /// <summary>Slot 10: <c>MapBufferHandle(DWORD dwBuffer, BYTE** ppBuffer)</c>.</summary>
    [PreserveSig]
    int MapBufferHandle(uint bufferHandle, byte** buffer);
}
