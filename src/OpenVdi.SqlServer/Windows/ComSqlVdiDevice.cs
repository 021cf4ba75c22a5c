using OpenVdi.SqlServer.Binding;
using OpenVdi.SqlVdi.Abi;

namespace OpenVdi.SqlServer.Windows;

/// <summary>An <c>IClientVirtualDevice</c> of sqlvdi.dll; its reference is released once its set closed.</summary>
internal sealed unsafe class ComSqlVdiDevice(ISqlVdiClientVirtualDevice device) : INativeDevice
{
    public VdiResult GetCommand(uint timeoutMs, out VdcCommandRecord* record)
    {
        VdcCommandRecord* delivered = null;
        var result = ComSqlVdiSet.Result(device.GetCommand(timeoutMs, &delivered));
        record = result == VdiResult.NOERROR ? delivered : null;
        return result;
    }

    public VdiResult CompleteCommand(VdcCommandRecord* record, uint completionCode, uint bytesTransferred, ulong position) =>
        ComSqlVdiSet.Result(device.CompleteCommand(record, completionCode, bytesTransferred, position));

    public void Release() => ComSqlVdiSet.Release(device);
}
