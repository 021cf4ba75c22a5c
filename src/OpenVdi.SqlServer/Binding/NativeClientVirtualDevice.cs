using OpenVdi.SqlServer.Commands;
using OpenVdi.SqlVdi.Abi;

namespace OpenVdi.SqlServer.Binding;

/// <summary>
/// <see cref="IClientVirtualDevice"/> over one device object of Microsoft's library. GetCommand hands out a
/// <see cref="NativeCommand"/> over the library's <c>VDC_Command</c>; CompleteCommand hands that very record back.
/// </summary>
internal sealed unsafe class NativeClientVirtualDevice : IClientVirtualDevice
{
    private readonly NativeClientVirtualDeviceSet _set;
    private readonly INativeDevice _native;
    private readonly NativeCommandPool _commands;
    private int _ended;

    public NativeClientVirtualDevice(NativeClientVirtualDeviceSet set, INativeDevice native, int generation)
    {
        _set = set;
        _native = native;
        Generation = generation;
        _commands = new NativeCommandPool(this);
    }

    /// <summary>The set object this device was opened in (<see cref="NativeClientVirtualDeviceSet.Generation"/>).</summary>
    public int Generation { get; }

    /// <inheritdoc/>
    public VdiResult GetCommand(uint timeoutMs, out VdcCommand? command)
    {
        command = null;
        if (!_set.TryEnterDevice(Generation))
        {
            return VdiResult.VD_E_PROTOCOL;
        }

        try
        {
            var result = _native.GetCommand(timeoutMs, out var record);
            if (result == VdiResult.VD_E_CLOSE)
            {
                Volatile.Write(ref _ended, 1);
            }

            if (result != VdiResult.NOERROR)
            {
                return result;
            }

            if (record is null)
            {
                // The library says it delivered a command it did not give: abort, so the server sees it fail (995).
                _set.SignalAbort();
                return VdiResult.VD_E_UNEXPECTED;
            }

            // Null when the set closed while the library delivered it: its buffer is going away with the set.
            command = _commands.Deliver(record, _set.PrefixZoneSize);
            return command is null ? VdiResult.VD_E_PROTOCOL : VdiResult.NOERROR;
        }
        finally
        {
            _set.ExitDevice();
        }
    }

    /// <inheritdoc/>
    public VdiResult CompleteCommand(VdcCommand command, uint completionCode, uint bytesTransferred, ulong position)
    {
        if (!_set.TryEnterDevice(Generation))
        {
            return VdiResult.VD_E_PROTOCOL;
        }

        try
        {
            if (command is not NativeCommand ours || ours.Device != this)
            {
                return VdiResult.VD_E_INVALID;
            }

            if (!ours.ClaimCompletion())
            {
                // Never passed to the library: its record may carry another command by now. The state answers, as the
                // library would for a command it no longer holds.
                return _set.IsAbortedOnceActive() ? VdiResult.VD_E_ABORT
                    : Volatile.Read(ref _ended) != 0 ? VdiResult.VD_E_PROTOCOL
                    : VdiResult.VD_E_INVALID;
            }

            if (ours.CommandCode is VdCommandCode.VDC_Read or VdCommandCode.VDC_Write && bytesTransferred > ours.Size)
            {
                ours.ReleaseCompletion();
                return VdiResult.VD_E_INVALID;
            }

            var result = _native.CompleteCommand(ours.Record, completionCode, bytesTransferred, position);
            if (result == VdiResult.VD_E_INVALID)
            {
                // Refused for an argument: the command is still the client's to complete.
                ours.ReleaseCompletion();
                return result;
            }

            _commands.Return(ours);
            return result;
        }
        finally
        {
            _set.ExitDevice();
        }
    }

    /// <summary>The set is closing: the commands handed out are no longer outstanding, and none is handed out again.</summary>
    internal void EndCommands() => _commands.InvalidateAll();

    /// <summary>The set closed: the library's device object is let go.</summary>
    internal void Retire()
    {
        _commands.InvalidateAll();
        _native.Release();
    }
}
