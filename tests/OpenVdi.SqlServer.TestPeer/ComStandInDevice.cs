using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using OpenVdi.SqlServer.Windows;
using OpenVdi.SqlVdi.Abi;

namespace OpenVdi.SqlServer.TestPeer;

/// <summary>
/// <c>IClientVirtualDevice</c> implemented by an OpenVdi device: GetCommand hands out a 24-byte <c>VDC_Command</c>
/// record of its own (pinned, so its address holds) describing OpenVdi's command, CompleteCommand finds the command
/// from the record's address. Records are handed out round robin among the free ones.
/// </summary>
[GeneratedComClass]
internal sealed unsafe partial class ComStandInDevice : ISqlVdiClientVirtualDevice
{
    private const int RecordCount = 256;

    private readonly IClientVirtualDevice _device;
    private readonly VdcCommandRecord[] _records = GC.AllocateArray<VdcCommandRecord>(RecordCount, pinned: true);
    private readonly VdcCommand?[] _holders = new VdcCommand?[RecordCount];
    private int _next;

    private ComStandInDevice(IClientVirtualDevice device) => _device = device;

    /// <summary>The <c>IClientVirtualDevice*</c> of a new stand-in over <paramref name="device"/>: a reference of the caller's.</summary>
    public static nint CreateInterface(IClientVirtualDevice device)
    {
        nint unknown = ComStandIn.CreateUnknown(new ComStandInDevice(device));
        try
        {
            var iid = new Guid(SqlVdiGuids.ClientVirtualDevice);
            Marshal.ThrowExceptionForHR(Marshal.QueryInterface(unknown, in iid, out nint typed));
            return typed;
        }
        finally
        {
            Marshal.Release(unknown);
        }
    }

    public int GetCommand(uint timeoutMs, VdcCommandRecord** command)
    {
        *command = null;
        var result = _device.GetCommand(timeoutMs, out var delivered);
        if (result != VdiResult.NOERROR)
        {
            return unchecked((int)result);
        }

        for (int probe = 0; probe < RecordCount; probe++)
        {
            int index = (Interlocked.Increment(ref _next) - 1) & (RecordCount - 1);
            if (Interlocked.CompareExchange(ref _holders[index], delivered, null) is null)
            {
                ref var record = ref _records[index];
                record.CommandCode = (int)delivered!.CommandCode;
                record.TransferSize = unchecked((int)delivered.Size);
                record.Position = unchecked((long)delivered.Position);
                record.Buffer = delivered.Buffer;
                fixed (VdcCommandRecord* first = _records)
                {
                    // The array is pinned: the address holds after the fixed block ends.
                    *command = first + index;
                }

                return unchecked((int)VdiResult.NOERROR);
            }
        }

        return unchecked((int)VdiResult.VD_E_UNEXPECTED);
    }

    public int CompleteCommand(VdcCommandRecord* command, uint completionCode, uint bytesTransferred, ulong position)
    {
        fixed (VdcCommandRecord* first = _records)
        {
            long offset = (byte*)command - (byte*)first;
            if (offset < 0 || offset >= RecordCount * VdcCommandRecord.Size || offset % VdcCommandRecord.Size != 0)
            {
                return unchecked((int)VdiResult.VD_E_INVALID);
            }

            int index = (int)(offset / VdcCommandRecord.Size);
            var held = Interlocked.Exchange(ref _holders[index], null);
            if (held is null)
            {
                return unchecked((int)VdiResult.VD_E_INVALID);
            }

            var result = _device.CompleteCommand(held, completionCode, bytesTransferred, position);
            if (result == VdiResult.VD_E_INVALID && held.IsOutstanding)
            {
                Volatile.Write(ref _holders[index], held);
            }

            return unchecked((int)result);
        }
    }
}
