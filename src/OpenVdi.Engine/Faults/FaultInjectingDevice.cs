using System.Runtime.CompilerServices;

namespace OpenVdi.Engine.Faults;

/// <summary>
/// A server device with a <see cref="FaultPlan"/> between the engine and the real device: it delays, stalls,
/// aborts, closes early, or slips an unsupported command in, then forwards. The byte count that triggers
/// abort-after is shared by every device of the set.
/// </summary>
internal sealed class FaultInjectingDevice : IServerVirtualDevice
{
    private readonly IServerVirtualDevice _inner;
    private readonly ServerVirtualDeviceSet _set;
    private readonly FaultPlan _plan;
    private readonly int _index;
    private readonly StrongBox<long> _setBytes;
    private long _bytes;
    private bool _stalled;
    private bool _probed;

    public FaultInjectingDevice(IServerVirtualDevice inner, ServerVirtualDeviceSet set, FaultPlan plan, int index, StrongBox<long> setBytes)
    {
        _inner = inner;
        _set = set;
        _plan = plan;
        _index = index;
        _setBytes = setBytes;
    }

    public VdiResult SendCommand(VdsCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.CommandCode is not (VdCommandCode.VDC_Write or VdCommandCode.VDC_Read))
        {
            return _inner.SendCommand(command);
        }

        if (_plan.UnsupportedCommand is { } unsupported && !_probed)
        {
            _probed = true;
            SendUnsupported(unsupported);
        }

        if (_plan.CommandDelay is { } delay)
        {
            // The fault is a slow server: the pause is the behaviour under test.
            Thread.Sleep(delay);
        }

        if (_plan.StallAfterBytes is { } stallAfter && !_stalled && _bytes >= stallAfter)
        {
            _stalled = true;
            Stall(_plan.StallFor);
        }

        if (_plan.CloseDevice == _index && _bytes >= _plan.CloseDeviceAfterBytes)
        {
            // Closed with no Flush: the client sees VD_E_CLOSE in the middle of its stream.
            _inner.CloseDevice();
            return _inner.SendCommand(command);
        }

        _bytes += command.Size;
        long total = Interlocked.Add(ref _setBytes.Value, command.Size);
        if (_plan.AbortAfterBytes is { } abortAfter && total > abortAfter)
        {
            _set.SignalAbort();
        }

        return _inner.SendCommand(command);
    }

    public VdiResult CloseDevice() => _inner.CloseDevice();

    /// <summary>Sends the unsupported command, and ClearError after its error completion, waiting for each.</summary>
    private void SendUnsupported(VdCommandCode code)
    {
        // A refused send runs its routine at once, so each command has its own signal.
        using var probeDone = new SemaphoreSlim(0);
        var probe = new VdsCommand { CommandCode = code, CompletionRoutine = _ => probeDone.Release() };
        _inner.SendCommand(probe);
        probeDone.Wait();
        if (probe.CompletionCode != Win32Error.ERROR_SUCCESS && !_set.IsAborted)
        {
            // What SQL Server does after an optional command failed: clear the device's error state and go on.
            using var clearDone = new SemaphoreSlim(0);
            var clear = new VdsCommand { CommandCode = VdCommandCode.VDC_ClearError, CompletionRoutine = _ => clearDone.Release() };
            _inner.SendCommand(clear);
            clearDone.Wait();
        }
    }

    private void Stall(TimeSpan? duration)
    {
        var end = duration is { } d ? DateTime.UtcNow + d : DateTime.MaxValue;
        while (!_set.IsAborted && DateTime.UtcNow < end)
        {
            // The fault is a stalled server: it sends nothing until the stall ends or the set aborts.
            Thread.Sleep(20);
        }
    }
}
