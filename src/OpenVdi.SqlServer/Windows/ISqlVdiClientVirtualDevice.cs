using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using OpenVdi.SqlVdi.Abi;

namespace OpenVdi.SqlServer.Windows;

/// <summary><c>IClientVirtualDevice</c>: IUnknown's three slots, then GetCommand (3) and CompleteCommand (4), spec §3.1.</summary>
[GeneratedComInterface]
[Guid(SqlVdiGuids.ClientVirtualDevice)]
internal unsafe partial interface ISqlVdiClientVirtualDevice
{
    /// <summary>Slot 3: <c>GetCommand(DWORD dwTimeOut, VDC_Command** ppCmd)</c>.</summary>
    [PreserveSig]
    int GetCommand(uint timeoutMs, VdcCommandRecord** command);

    /// <summary>Slot 4: <c>CompleteCommand(VDC_Command* pCmd, DWORD dwCompletionCode, DWORD dwBytesTransferred, DWORDLONG dwlPosition)</c>.</summary>
    [PreserveSig]
    int CompleteCommand(VdcCommandRecord* command, uint completionCode, uint bytesTransferred, ulong position);
}
