using System.Runtime.CompilerServices;
using OpenVdi.Engine.Devices;

namespace OpenVdi.Engine.Faults;

/// <summary>
/// Plays a misbehaving server on one device of a statement, as a <see cref="FaultPlan"/> says: before each data command
/// the device sends, it may send an unsupported command first (and clear the error), pause, stall, close the device
/// early, or abort the set once enough bytes went through. Everything waits asynchronously on the device's own loop.
/// </summary>
internal sealed class FaultInjector : IStreamingHooks
{
    private readonly ServerVirtualDeviceSet _set;
    private readonly FaultPlan _plan;
    private readonly int _index;
    private readonly StrongBox<long> _setBytes;
    private long _bytes;
    private bool _stalled;
    private bool _probed;

    public FaultInjector(ServerVirtualDeviceSet set, FaultPlan plan, int index, StrongBox<long> setBytes)
    {
        _set = set;
        _plan = plan;
        _index = index;
        _setBytes = setBytes;
    }

    public async ValueTask BeforeDataCommandAsync(StreamingDevice device, VdsCommand command, CancellationToken ended)
    {
        if (_plan.UnsupportedCommand is { } unsupported && !_probed)
        {
            _probed = true;
            uint code = await device.SendAndWaitAsync(unsupported).ConfigureAwait(false);
            if (code != Win32Error.ERROR_SUCCESS && !_set.IsAborted)
            {
                // What SQL Server does after an optional command failed: clear the device's error state and go on.
                await device.SendAndWaitAsync(VdCommandCode.VDC_ClearError).ConfigureAwait(false);
            }
        }

        if (_plan.CommandDelay is { } delay)
        {
            // The fault is a slow server: the pause is the behaviour under test.
            await Pause(delay, ended).ConfigureAwait(false);
        }

        if (_plan.StallAfterBytes is { } stallAfter && !_stalled && _bytes >= stallAfter)
        {
            // The fault is a stalled server: it sends nothing until the stall ends or the set aborts.
            _stalled = true;
            await Pause(_plan.StallFor ?? Timeout.InfiniteTimeSpan, ended).ConfigureAwait(false);
        }

        if (_plan.CloseDevice == _index && _bytes >= _plan.CloseDeviceAfterBytes)
        {
            // Closed with no Flush: the client sees VD_E_CLOSE in the middle of its stream (the send is then refused).
            device.Close();
            return;
        }

        _bytes += command.Size;
        long total = Interlocked.Add(ref _setBytes.Value, command.Size);
        if (_plan.AbortAfterBytes is { } abortAfter && total > abortAfter)
        {
            _set.SignalAbort();
        }
    }

    /// <summary>Waits <paramref name="duration"/> (infinite: until the run ends), or less if the run ends first.</summary>
    private static async Task Pause(TimeSpan duration, CancellationToken ended)
    {
        try
        {
            await Task.Delay(duration, ended).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The run ended (an abort, a failure): the pause is over.
        }
    }
}
