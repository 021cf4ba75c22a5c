using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using OpenVdi.SqlVdi.Abi;

namespace OpenVdi.SqlServer.Windows;

/// <summary>
/// <c>IClientVirtualDeviceSet2 : IClientVirtualDeviceSet</c>: the eight methods of version 1 in slots 3 to 10, then
/// these two (slots 11 and 12, spec §3.1). A null instance name is the default instance.
/// </summary>
[GeneratedComInterface(StringMarshalling = StringMarshalling.Utf16)]
[Guid(SqlVdiGuids.ClientVirtualDeviceSet2)]
internal unsafe partial interface ISqlVdiClientVirtualDeviceSet2 : ISqlVdiClientVirtualDeviceSet
{
    /// <summary>Slot 11: <c>CreateEx(LPCWSTR lpInstanceName, LPCWSTR lpName, VDConfig* pCfg)</c>.</summary>
    [PreserveSig]
    int CreateEx(string? instanceName, string name, VdConfig* config);

    /// <summary>Slot 12: <c>OpenInSecondaryEx(LPCWSTR lpInstanceName, LPCWSTR lpSetName)</c>.</summary>
    [PreserveSig]
    int OpenInSecondaryEx(string? instanceName, string setName);
}
