using System.Diagnostics;
using OpenVdi.Transport;
using static OpenVdi.Transport.ControlSegmentDescriptor;

namespace OpenVdi;

/// <summary>
/// The one asynchronous waiter of a client process for a set: a thread that sleeps on the set's doorbell word and,
/// when the server rings it (a command published on a device whose wait is armed, a device closed, a set-wide event,
/// an abort), completes the armed waits of this process's devices and of GetConfigurationAsync. Waits therefore cost
/// no thread each and never poll; their continuations run on this thread, so one thread carries the loops of all the
/// process's devices.
/// </summary>
/// <remarks>
/// Sleeping follows the transport's rule (docs/transport-layout.md): read the doorbell word, count as a waiter (a full
/// fence), look at every armed wait once more, then sleep while the word holds the value read. The server sets a
/// device's ready bit and rings only when the device's wait is armed and a waiter sleeps, so a busy set rings nothing.
/// The thread wakes every liveness interval to probe the server; it ends when the object closes, or when nothing was
/// armed for a whole interval (the next wait starts it again).
/// </remarks>
internal sealed class ClientDoorbell
{
    private readonly ClientVirtualDeviceSet _set;
    private readonly ControlSegment _control;
    private readonly ClientVirtualDevice.CommandWait?[] _waits;
    private readonly bool[] _claimed;
    private readonly ConfigurationWait _configuration;
    private readonly Lock _lock = new();
    private long _owned;
    private bool _running;
    private int _retired;

    public ClientDoorbell(ClientVirtualDeviceSet set, ControlSegment control)
    {
        _set = set;
        _control = control;
        _waits = new ClientVirtualDevice.CommandWait?[control.DeviceCount];
        _claimed = new bool[control.DeviceCount];
        _configuration = new ConfigurationWait(set);
    }

    public ConfigurationWait Configuration => _configuration;

    /// <summary>A device opened in this process: its waits are this waiter's to complete.</summary>
    public void Add(int index, ClientVirtualDevice.CommandWait wait)
    {
        Volatile.Write(ref _waits[index], wait);
        Interlocked.Or(ref _owned, 1L << index);
    }

    /// <summary>The attachment is gone (its Close drained the gate): the thread must not enter a later one's gate.</summary>
    public void Retire() => Volatile.Write(ref _retired, 1);

    /// <summary>A wait was armed: make sure the waiter runs, and ring so that it looks.</summary>
    public void Armed()
    {
        lock (_lock)
        {
            if (!_running)
            {
                _running = true;
                new Thread(Run) { IsBackground = true, Name = "OpenVdi client doorbell" }.Start();
                return;
            }
        }

        // The waiter may sleep on an old value: a bump makes it look at the new wait.
        if (_control.DoorbellWaiters.ReadAcquire() > 0)
        {
            _control.Bump(DoorbellOffset);
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "A fault on this thread must end the waits it carries, not the process.")]
    private void Run()
    {
        long idleSince = Stopwatch.GetTimestamp();
        var gate = _set.Gate;
        bool flowing = false;
        while (true)
        {
            if (!gate.TryEnter())
            {
                // The object is closing: its memory may go at any moment; end every wait without touching it.
                EndAll(VdiResult.VD_E_ABORT);
                Stop();
                return;
            }

            if (Volatile.Read(ref _retired) != 0)
            {
                // The gate is a later attachment's: this one's memory is gone.
                gate.Exit();
                EndAll(VdiResult.VD_E_ABORT);
                Stop();
                return;
            }

            bool anyArmed = false;
            bool configurationClaimed = false;
            try
            {
                int observed = _control.Doorbell.ReadAcquire();

                // The ready bits are the server's reason to ring; every armed wait is looked at regardless.
                _control.ReadyDevices.And(~Volatile.Read(ref _owned));
                anyArmed = ClaimAllUnsynchronized(out configurationClaimed);
                if (!configurationClaimed && !Array.Exists(_claimed, c => c))
                {
                    // Nothing to deliver: sleep, armed waits or not (they are what the ring is for). Count as a waiter,
                    // then look again: a server that published before seeing the count set a bit we see. A set in full
                    // flow (the last round delivered) spins a moment first: its next command usually follows at once.
                    if (!(flowing && WaitPolicy.SpinUntil(1, this, static doorbell => doorbell.HasWork() || doorbell._control.IsAborted)))
                    {
                        _control.DoorbellWaiters.Increment();
                        if (!HasWork() && !gate.IsClosed && !_control.IsAborted)
                        {
                            _control.WaitOn(DoorbellOffset, observed, WaitPolicy.LivenessIntervalMs);
                        }

                        ControlSegment.LeaveWaiters(_control.DoorbellWaiters);
                    }
                }

                if (_control.IsLivenessProbeDue())
                {
                    ClientVirtualDeviceSet.ProbeServer(_control);
                }

                foreach (var wait in _waits)
                {
                    wait?.Audit();
                }
            }
            catch (CorruptSegmentException)
            {
                _set.Corrupt();
            }
            catch (Exception) when (gate.IsClosed)
            {
                // Closing under us: the next round ends the waits.
            }
            finally
            {
                gate.Exit();
            }

            // Outside the gate: the continuations run here, and one of them may close the set.
            flowing = DeliverClaimed(configurationClaimed);
            if (anyArmed)
            {
                idleSince = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(idleSince).TotalMilliseconds >= WaitPolicy.LivenessIntervalMs && TryStopIdle())
            {
                return;
            }
        }
    }

    /// <summary>
    /// Looks at every armed wait once, under the gate, claiming those that can complete (<see cref="_claimed"/>);
    /// true when some wait stays armed.
    /// </summary>
    private bool ClaimAllUnsynchronized(out bool configurationClaimed)
    {
        bool anyArmed = false;
        for (int i = 0; i < _waits.Length; i++)
        {
            if (_waits[i] is { IsArmed: true } wait)
            {
                _claimed[i] = wait.Claim();
                anyArmed |= !_claimed[i];
            }
        }

        configurationClaimed = _configuration.IsArmed && _configuration.Claim();
        anyArmed |= _configuration.IsArmed && !configurationClaimed;
        return anyArmed;
    }

    /// <summary>Completes the claimed waits (their continuations run here); true when there was one.</summary>
    private bool DeliverClaimed(bool configurationClaimed)
    {
        bool delivered = configurationClaimed;
        for (int i = 0; i < _waits.Length; i++)
        {
            if (_claimed[i])
            {
                _claimed[i] = false;
                delivered = true;
                _waits[i]!.Deliver();
            }
        }

        if (configurationClaimed)
        {
            _configuration.Deliver();
        }

        return delivered;
    }

    private bool HasWork()
    {
        if ((_control.ReadyDevices.ReadAcquire() & Volatile.Read(ref _owned)) != 0 || _configuration.HasWork())
        {
            return true;
        }

        foreach (var wait in _waits)
        {
            if (wait is not null && wait.HasWork())
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Ends the thread when nothing is armed; false when a wait was armed meanwhile (the thread goes on).</summary>
    private bool TryStopIdle()
    {
        lock (_lock)
        {
            foreach (var wait in _waits)
            {
                if (wait is not null && wait.IsArmed)
                {
                    return false;
                }
            }

            if (_configuration.IsArmed)
            {
                return false;
            }

            _running = false;
            return true;
        }
    }

    private void Stop()
    {
        lock (_lock)
        {
            _running = false;
        }
    }

    private void EndAll(VdiResult result)
    {
        foreach (var wait in _waits)
        {
            wait?.End(new CommandFetch(result, null));
        }

        _configuration.End(new ConfigurationFetch(result, default));
    }
}
