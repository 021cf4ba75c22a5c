using System.Diagnostics;
using OpenVdi.SqlVdi.Abi;

namespace OpenVdi.SqlVdi.Objects;

/// <summary>
/// One <c>ClientVirtualDevice</c> object OpenDevice handed out: an 8-byte block from <c>malloc</c> (so the client's
/// <c>delete</c> stays legal), the OpenVdi device behind it, and the native <c>VDC_Command</c> records its GetCommand
/// returns, each pointing into the shared buffer (no copy).
/// </summary>
/// <remarks>
/// <para>A record belongs to one delivered command from GetCommand until CompleteCommand; records are handed out round
/// robin among the free ones, so a pointer completed twice finds its record empty (VD_E_INVALID) rather than a later
/// command.</para>
/// <para>The records are lent by <see cref="CommandRecordPool"/> and go back when the device is retired (its set closed or
/// the client deleted it) and no call is inside it any more: <see cref="_state"/> counts the calls in progress and
/// carries the retired bit.</para>
/// </remarks>
internal sealed unsafe class DeviceObject
{
    /// <summary>Records per device: twice the transport's 128 outstanding commands, so a free one is always there.</summary>
    public const int RecordCount = 256;

    private const int RetiredBit = 1 << 30;

    private readonly ClientVirtualDevice _device;
    private readonly ClientVirtualDeviceSet _set;
    private readonly VdcCommand?[] _holders = new VdcCommand?[RecordCount];
    private nint _records;
    private int _state;
    private int _next;

    public DeviceObject(nint address, ClientVirtualDevice device, ClientVirtualDeviceSet set, nint records)
    {
        Address = address;
        _device = device;
        _set = set;
        _records = records;
    }

    /// <summary>The block the client holds as its <c>ClientVirtualDevice*</c>.</summary>
    public nint Address { get; }

    /// <summary>
    /// GetCommand: fetches the next command and hands out a record describing it.
    /// </summary>
    /// <returns>As <see cref="ClientVirtualDevice.GetCommand"/>; VD_E_PROTOCOL once the device is retired.</returns>
    public VdiResult GetCommand(uint timeoutMs, VdcCommandRecord** command)
    {
        if (!TryEnter())
        {
            return VdiResult.VD_E_PROTOCOL;
        }

        try
        {
            var result = _device.GetCommand(timeoutMs, out var delivered);
            if (result != VdiResult.NOERROR)
            {
                return result;
            }

            int index = Claim(delivered!);
            if (index < 0)
            {
                // More commands outstanding than records: the transport's depth grew past RecordCount. Never silently
                // drop a delivered command: abort the set, which completes it at the server.
                _set.SignalAbort();
                return VdiResult.VD_E_UNEXPECTED;
            }

            // SAFETY: index < RecordCount, and the records stay allocated while this call is counted in _state.
            var record = (VdcCommandRecord*)_records + index;
            record->CommandCode = (int)delivered!.CommandCode;
            record->TransferSize = unchecked((int)delivered.Size);
            record->Position = unchecked((long)delivered.Position);
            record->Buffer = delivered.Buffer;
            *command = record;
            return VdiResult.NOERROR;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>CompleteCommand for the record at <paramref name="command"/>.</summary>
    /// <returns>
    /// As <see cref="ClientVirtualDevice.CompleteCommand"/>. A pointer that is not one of this device's records, or a
    /// record with no command (never handed out, or completed already) is VD_E_INVALID, or VD_E_ABORT once the set
    /// aborted, or VD_E_PROTOCOL once the device ended; a byte count above 32 bits is VD_E_INVALID; VD_E_PROTOCOL once
    /// the device is retired.
    /// </returns>
    public VdiResult CompleteCommand(VdcCommandRecord* command, int completionCode, nuint bytesTransferred, long position)
    {
        if (!TryEnter())
        {
            return VdiResult.VD_E_PROTOCOL;
        }

        try
        {
            long offset = (long)((nint)command - _records);
            if (offset < 0 || offset >= RecordCount * VdcCommandRecord.Size || offset % VdcCommandRecord.Size != 0)
            {
                return VdiResult.VD_E_INVALID;
            }

            int index = (int)(offset / VdcCommandRecord.Size);

            // Take the command off its record first: of two completions of one pointer, only one finds it.
            var held = Interlocked.Exchange(ref _holders[index], null);
            if (held is null)
            {
                return _set.IsAborted ? VdiResult.VD_E_ABORT : _device.HasEnded ? VdiResult.VD_E_PROTOCOL : VdiResult.VD_E_INVALID;
            }

            var result = bytesTransferred > uint.MaxValue
                ? VdiResult.VD_E_INVALID
                : _device.CompleteCommand(held, unchecked((uint)completionCode), (uint)bytesTransferred, unchecked((ulong)position));
            if (result == VdiResult.VD_E_INVALID && held.IsOutstanding)
            {
                // Refused for an argument (a byte count above the size): the command is still the client's to complete.
                Volatile.Write(ref _holders[index], held);
            }

            return result;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// The set closed, or the client deleted the object: every later call answers VD_E_PROTOCOL, and the records go
    /// back to the pool once no call is inside.
    /// </summary>
    public void Retire()
    {
        int before = Interlocked.Or(ref _state, RetiredBit);
        if (before == 0)
        {
            ReleaseRecords();
        }
    }

    private int Claim(VdcCommand command)
    {
        for (int probe = 0; probe < RecordCount; probe++)
        {
            int index = (Interlocked.Increment(ref _next) - 1) & (RecordCount - 1);
            if (Interlocked.CompareExchange(ref _holders[index], command, null) is null)
            {
                return index;
            }
        }

        return -1;
    }

    private bool TryEnter()
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if ((state & RetiredBit) != 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _state, state + 1, state) == state)
            {
                return true;
            }
        }
    }

    private void Exit()
    {
        // The last call out of a retired device returns its records.
        if (Interlocked.Decrement(ref _state) == RetiredBit)
        {
            ReleaseRecords();
        }
    }

    private void ReleaseRecords()
    {
        nint records = Interlocked.Exchange(ref _records, 0);
        Debug.Assert(records != 0, "The records are released once.");
        Array.Clear(_holders);
        CommandRecordPool.Return(records);
    }
}
