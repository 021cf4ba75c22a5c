using System.Runtime.InteropServices;
using OpenVdi.SqlServer.Binding;
using OpenVdi.SqlVdi.Abi;

namespace OpenVdi.SqlServer.Linux;

/// <summary>
/// A <c>ClientVirtualDevice*</c> from libsqlvdi.so's OpenDevice. The library owns it: the binding never destroys or
/// frees it (Microsoft's sample never does either), and never calls it once its set closed.
/// </summary>
internal sealed unsafe class LinuxSqlVdiDevice(nint device) : INativeDevice
{
    public VdiResult GetCommand(uint timeoutMs, out VdcCommandRecord* record)
    {
        VdcCommandRecord* delivered = null;
        var result = LinuxSqlVdiSet.Result(LibSqlVdi.GetCommand(device, LinuxTimeout.FromVdiTimeout(timeoutMs), &delivered));
        record = result == VdiResult.NOERROR ? delivered : null;
        return result;
    }

    public VdiResult CompleteCommand(VdcCommandRecord* record, uint completionCode, uint bytesTransferred, ulong position) =>
        LinuxSqlVdiSet.Result(LibSqlVdi.CompleteCommand(device, record, unchecked((int)completionCode), new CULong(bytesTransferred), unchecked((long)position)));

    public void Release()
    {
    }
}
