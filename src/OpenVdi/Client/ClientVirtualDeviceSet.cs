using System.Diagnostics;
using OpenVdi.Transport;
using static OpenVdi.Transport.ControlSegmentDescriptor;

namespace OpenVdi;

/// <summary>
/// The client half of a virtual device set over OpenVdi's shared-memory transport: the implementation of
/// <see cref="IClientVirtualDeviceSet2"/>. One object holds one set at a time; after <see cref="Close"/> it can
/// create or open the next. Its methods may be called from any thread.
/// </summary>
public sealed class ClientVirtualDeviceSet : IClientVirtualDeviceSet2, IDisposable
{
    private readonly VirtualDeviceSetOptions _options;
    private readonly Lock _lock = new();
    private readonly CallGate _gate = new();
    private ControlSegment? _control;
    private ClientDoorbell? _doorbell;
    private BufferAreaMap? _buffers;
    private ClientVirtualDevice?[] _devices = [];
    private LocalState _state;
    private bool _isPrimary;
    private VdConfig _requested;
    private VdConfig _configuration;

    /// <summary>Creates an object with no set; call CreateEx (primary) or OpenInSecondaryEx (secondary).</summary>
    public ClientVirtualDeviceSet()
        : this(VirtualDeviceSetOptions.Default)
    {
    }

    /// <summary>Creates an object with no set, with <paramref name="options"/> for the sets it creates.</summary>
    public ClientVirtualDeviceSet(VirtualDeviceSetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    private enum LocalState
    {
        None,
        Configurable,
        Initializing,
        Active,
    }

    /// <summary>The set's name, or null when no set is open.</summary>
    public string? Name => _control?.SetName;

    /// <summary>Whether this object created its set (primary) rather than attached to it (secondary).</summary>
    public bool IsPrimary => _isPrimary;

    /// <summary>Whether the set has aborted (either side's SignalAbort, a timeout, a dead peer, a corrupt segment).</summary>
    public bool IsAborted => _control?.IsAborted ?? false;

    internal ControlSegment? Control => _control;

    internal BufferAreaMap? Buffers => _buffers;

    internal CallGate Gate => _gate;

    /// <summary>The asynchronous waiter of this attachment (null when no set is open).</summary>
    internal ClientDoorbell? Doorbell => _doorbell;

    /// <summary>
    /// Whether a GetConfiguration now would answer at once (configured, aborted, closing): for the doorbell waiter,
    /// which holds the gate.
    /// </summary>
    internal bool IsConfigurationSettled =>
        _state != LocalState.Configurable || _gate.IsClosed || _control is not { } control || control.IsAborted
        || control.SetState.ReadAcquire() >= (int)SharedSetState.Initializing;

    internal VdConfig Configuration => _configuration;

    /// <inheritdoc/>
    public VdiResult Create(string name, in VdConfig config) =>
        CreateEx(Environment.GetEnvironmentVariable("_VIRTUAL_SERVER_NAME_"), name, config);

    /// <inheritdoc/>
    public VdiResult CreateEx(string? instanceName, string name, in VdConfig config)
    {
        lock (_lock)
        {
            if (_state != LocalState.None)
            {
                return VdiResult.VD_E_PROTOCOL;
            }

            string? instance = SegmentName.NormalizeInstance(instanceName);
            if (instance is null)
            {
                return VdiResult.VD_E_INSTANCE_NAME;
            }

            if (!SegmentName.IsValidName(name))
            {
                return VdiResult.VD_E_INVALID;
            }

            if (!VdConfigRules.IsSupportedRequest(config))
            {
                return VdiResult.VD_E_NOTSUPPORTED;
            }

            // Only the client inputs travel; the server's outputs start at zero.
            var requested = config;
            requested.BlockSize = requested.MaxIODepth = requested.MaxTransferSize = requested.BufferAreaSize = 0;
            StaleSegments.Sweep();
            var result = ControlSegment.TryCreate(instance, name, requested, _options.FileMode, out var control);
            if (result != VdiResult.NOERROR)
            {
                return result;
            }

            // The primary's own copy: what the server answers is checked against this, not against shared memory.
            _requested = requested;
            Attach(control!, primary: true);
            _state = LocalState.Configurable;
            return VdiResult.NOERROR;
        }
    }

    /// <inheritdoc/>
    public VdiResult OpenInSecondary(string setName) => OpenInSecondaryEx(null, setName);

    /// <inheritdoc/>
    public VdiResult OpenInSecondaryEx(string? instanceName, string setName)
    {
        lock (_lock)
        {
            if (_state != LocalState.None)
            {
                return VdiResult.VD_E_PROTOCOL;
            }

            string? instance = SegmentName.NormalizeInstance(instanceName);
            if (instance is null)
            {
                return VdiResult.VD_E_INSTANCE_NAME;
            }

            if (!SegmentName.IsValidName(setName))
            {
                return VdiResult.VD_E_INVALID;
            }

            var result = ControlSegment.TryOpen(instance, setName, out var control);
            if (result != VdiResult.NOERROR)
            {
                return result is VdiResult.VD_E_INVALID ? VdiResult.VD_E_PROTOCOL : result;
            }

            try
            {
                if (control!.IsAborted)
                {
                    control.Dispose();
                    return VdiResult.VD_E_ABORT;
                }

                if (control.ReadSetState() < SharedSetState.Initializing
                    || control.PrimaryConfigured.ReadAcquire() == 0
                    || control.PrimaryClosed.ReadAcquire() != 0)
                {
                    control.Dispose();
                    return VdiResult.VD_E_PROTOCOL;
                }

                // A secondary has no request of its own: it checks the server's answer against the one in the segment.
                var requested = control.ReadConfig(negotiated: false);
                requested.DeviceCount = (uint)control.DeviceCount;
                Attach(control, primary: false);
                _requested = requested;
                AcceptConfiguration(control);
                _state = LocalState.Initializing;
                return VdiResult.NOERROR;
            }
            catch (CorruptSegmentException)
            {
                control!.SignalAbort(AbortReason.CorruptSegment);
                if (_control is null)
                {
                    control.Dispose();
                }
                else
                {
                    Detach(unlink: false);
                }

                return VdiResult.VD_E_UNEXPECTED;
            }
        }
    }

    private void Attach(ControlSegment control, bool primary)
    {
        _control = control;
        _isPrimary = primary;
        _devices = new ClientVirtualDevice?[control.DeviceCount];
        _buffers = new BufferAreaMap(control, control.ReadConfig(negotiated: false).PrefixZoneSize);
        _doorbell = new ClientDoorbell(this, control);
        _gate.Reset();
    }

    /// <inheritdoc/>
    public VdiResult GetConfiguration(uint timeoutMs, out VdConfig config)
    {
        config = default;
        if (!_gate.TryEnter())
        {
            return VdiResult.VD_E_PROTOCOL;
        }

        try
        {
            var control = _control;
            var state = _state;
            if (control is null || state == LocalState.None)
            {
                return VdiResult.VD_E_PROTOCOL;
            }

            ProbeServer(control);
            if (control.IsAborted)
            {
                return VdiResult.VD_E_ABORT;
            }

            if (state != LocalState.Configurable)
            {
                config = _configuration;
                return VdiResult.NOERROR;
            }

            var result = WaitForSetEvent(control, new Deadline(timeoutMs), () => control.ReadSetState() >= SharedSetState.Initializing);
            if (result != VdiResult.NOERROR)
            {
                return result;
            }

            lock (_lock)
            {
                if (_state == LocalState.Configurable)
                {
                    AcceptConfiguration(control);
                    _state = LocalState.Initializing;
                    if (_isPrimary)
                    {
                        // Release: secondaries may attach from now on (spec §3.9: after the primary's GetConfiguration).
                        control.PrimaryConfigured.WriteRelease(1);
                    }
                }
            }

            config = _configuration;
            return VdiResult.NOERROR;
        }
        catch (CorruptSegmentException)
        {
            return Corrupt();
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// GetConfiguration without a thread: answers at once when the set is configured (or aborted, or not in a state to
    /// ask); otherwise the wait is armed and the set's doorbell waiter completes it when the server signals. A
    /// cancelled token ends the wait at once with <see cref="OperationCanceledException"/>.
    /// </summary>
    internal ValueTask<ConfigurationFetch> GetConfigurationAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<ConfigurationFetch>(cancellationToken);
        }

        var result = GetConfiguration(VdiTimeout.Poll, out var config);
        if (result != VdiResult.VD_E_TIMEOUT || _doorbell is not { } doorbell)
        {
            return new ValueTask<ConfigurationFetch>(new ConfigurationFetch(result, config));
        }

        var pending = doorbell.Configuration.Arm(cancellationToken);
        doorbell.Armed();
        return pending;
    }

    /// <summary>
    /// Reads the server's answer, checks that the server could have made it from the request (a peer may have written
    /// anything there), and maps the buffer area made at EndConfiguration, whose size the answer must state.
    /// </summary>
    /// <exception cref="CorruptSegmentException">The answer is not one a server makes, or the area does not match it.</exception>
    private void AcceptConfiguration(ControlSegment control)
    {
        var negotiated = control.ReadConfig(negotiated: true);
        if (!VdConfigRules.IsValidNegotiation(_requested, negotiated))
        {
            throw new CorruptSegmentException($"The negotiated configuration is not one a server makes from the request: {negotiated}.");
        }

        var buffers = _buffers!;
        buffers.EnsureMapped(0);
        if (negotiated.BufferAreaSize != (uint)Math.Min(buffers.TotalLength, uint.MaxValue))
        {
            throw new CorruptSegmentException($"The negotiated buffer area of {negotiated.BufferAreaSize} bytes is not the area the server made.");
        }

        _configuration = negotiated;
    }

    /// <summary>
    /// Waits on the set's event word until <paramref name="condition"/> holds, the deadline passes, the set aborts,
    /// the object closes, or the server dies.
    /// </summary>
    private VdiResult WaitForSetEvent(ControlSegment control, Deadline deadline, Func<bool> condition)
    {
        while (true)
        {
            int observed = control.ConfigEvent.ReadAcquire();
            if (control.IsAborted || _gate.IsClosed)
            {
                return VdiResult.VD_E_ABORT;
            }

            if (condition())
            {
                return VdiResult.NOERROR;
            }

            int slice = deadline.RemainingMs(WaitPolicy.LivenessIntervalMs);
            if (slice == 0)
            {
                return VdiResult.VD_E_TIMEOUT;
            }

            // Count as a waiter, then look again: a waker that missed the count has already made the condition true.
            control.ConfigWaiters.Increment();
            if (!condition() && !control.IsAborted)
            {
                control.WaitOn(ConfigEventOffset, observed, slice);
            }

            ControlSegment.LeaveWaiters(control.ConfigWaiters);
            ProbeServer(control);
        }
    }

    /// <summary>
    /// Aborts the set when the server that attached to it is gone before the set's normal end (every device closed by
    /// the server, which a server that closed normally has reached). The server's lock decides whether it is gone,
    /// not the "closed normally" flag, which a peer could forge. Writes back an abort a peer cleared.
    /// </summary>
    internal static void ProbeServer(ControlSegment control)
    {
        control.ReassertAbort();
        if (control.ReadSetState() >= SharedSetState.Connected
            && !control.IsAborted
            && control.IsGone(LivenessLock.ServerByte)
            && !(control.ServerClosed.ReadAcquire() != 0 && AllDevicesClosedByServer(control)))
        {
            control.SignalAbort(AbortReason.ServerDied);
        }
    }

    /// <inheritdoc/>
    public VdiResult OpenDevice(string name, out IClientVirtualDevice? device)
    {
        device = null;
        if (!_gate.TryEnter())
        {
            return VdiResult.VD_E_PROTOCOL;
        }

        try
        {
            var control = _control;
            if (control is null || _state is LocalState.None)
            {
                return VdiResult.VD_E_PROTOCOL;
            }

            ProbeServer(control);
            if (control.IsAborted)
            {
                return VdiResult.VD_E_ABORT;
            }

            if (_state is LocalState.Configurable || control.ReadSetState() >= SharedSetState.NormallyTerminated)
            {
                return VdiResult.VD_E_PROTOCOL;
            }

            if (AllDevicesOpen(control))
            {
                return VdiResult.VD_E_OPEN;
            }

            if (!SegmentName.IsValidName(name))
            {
                return VdiResult.VD_E_INVALID;
            }

            int index = -1;
            var deadline = new Deadline((uint)Math.Clamp(_options.DeviceNamingTimeout.TotalMilliseconds, 0, uint.MaxValue - 1));
            var wait = WaitForSetEvent(control, deadline, () => (index = FindDevice(control, name)) != -1);
            if (wait == VdiResult.VD_E_ABORT)
            {
                return VdiResult.VD_E_ABORT;
            }

            if (index < 0)
            {
                return VdiResult.VD_E_INVALID;
            }

            var record = control.Device(index);
            if (record.OwnerPid.CompareExchange(Environment.ProcessId, 0) != 0)
            {
                return VdiResult.VD_E_PROTOCOL;
            }

            lock (_lock)
            {
                var opened = new ClientVirtualDevice(this, control, index, name);
                _devices[index] = opened;
                _state = LocalState.Active;
                device = opened;
            }

            return VdiResult.NOERROR;
        }
        catch (CorruptSegmentException)
        {
            return Corrupt();
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// Whether the server closed every device: the set's normal end. Read from the device records, not the set
    /// state, which the server writes after the last device's closed flag.
    /// </summary>
    private static bool AllDevicesClosedByServer(ControlSegment control)
    {
        for (int i = 0; i < control.DeviceCount; i++)
        {
            if (control.Device(i).Closed.ReadAcquire() == 0)
            {
                return false;
            }
        }

        return true;
    }

    private static bool AllDevicesOpen(ControlSegment control)
    {
        for (int i = 0; i < control.DeviceCount; i++)
        {
            if (control.Device(i).OwnerPid.ReadAcquire() == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The device named <paramref name="name"/>: device 0 is named after the set from the start; the others once the
    /// server's OpenDevice named them. -1 while unknown and some device is still unnamed; -2 when every device is
    /// named and none has that name.
    /// </summary>
    private static int FindDevice(ControlSegment control, string name)
    {
        if (name == control.SetName)
        {
            return 0;
        }

        bool allNamed = true;
        for (int i = 1; i < control.DeviceCount; i++)
        {
            var record = control.Device(i);

            // Acquire: the name is complete before the bound flag is seen.
            if (record.Bound.ReadAcquire() == 0)
            {
                allNamed = false;
                continue;
            }

            if (record.ReadName() == name)
            {
                return i;
            }
        }

        return allNamed ? -2 : -1;
    }

    /// <inheritdoc/>
    public VdiResult SignalAbort()
    {
        if (!_gate.TryEnter())
        {
            return VdiResult.VD_E_PROTOCOL;
        }

        try
        {
            var control = _control;
            if (control is null)
            {
                return VdiResult.VD_E_PROTOCOL;
            }

            control.SignalAbort(AbortReason.ClientSignalled);
            return VdiResult.NOERROR;
        }
        catch (CorruptSegmentException)
        {
            return Corrupt();
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <inheritdoc/>
    public VdiResult Close()
    {
        lock (_lock)
        {
            var control = _control;
            if (control is null)
            {
                return VdiResult.VD_E_PROTOCOL;
            }

            var result = VdiResult.NOERROR;
            try
            {
                bool devicesOpen = Array.Exists(_devices, d => d is not null && !d.HasEnded);
                if (!control.IsAborted)
                {
                    if (devicesOpen)
                    {
                        control.SignalAbort(AbortReason.ClientClosedWithOpenDevices);
                        result = VdiResult.VD_E_OPEN;
                    }
                    else if (_isPrimary && !AllDevicesClosedByServer(control))
                    {
                        // The server cannot go on without the primary: tell it now rather than let it wait.
                        control.SignalAbort(AbortReason.PrimaryClosed);
                    }
                }

                // Wake this object's waiting calls and let them leave before the memory goes.
                _gate.Close();
                control.WakeEverything();
                _gate.Drain();
                if (_isPrimary)
                {
                    control.PrimaryClosed.WriteRelease(1);
                }
            }
            catch (CorruptSegmentException)
            {
                control.SignalAbort(AbortReason.CorruptSegment);
            }

            Detach(unlink: _isPrimary);
            return result;
        }
    }

    private void Detach(bool unlink)
    {
        var control = _control!;
        var buffers = _buffers;
        if (unlink && control.IsStillAtPath())
        {
            // Buffer segments first: while the control file stands, the name is this set's. A server that closed
            // normally removed both already.
            control.UnlinkBufferSegmentsOfName();
            control.Unlink();
        }

        foreach (var device in _devices)
        {
            device?.Invalidate();
        }

        // Its thread is out of the gate (Close drained it): it must not come back into a later attachment's gate.
        _doorbell?.Retire();
        _doorbell = null;
        buffers?.Dispose();
        control.Dispose();
        _control = null;
        _buffers = null;
        _devices = [];
        _state = LocalState.None;
        _isPrimary = false;
        _requested = _configuration = default;
    }

    /// <inheritdoc/>
    public VdiResult GetBufferHandle(nint buffer, out uint bufferHandle)
    {
        bufferHandle = 0;
        if (!_gate.TryEnter())
        {
            return VdiResult.VD_E_PROTOCOL;
        }

        try
        {
            var control = _control;
            var buffers = _buffers;
            if (control is null || buffers is null || _state is LocalState.None or LocalState.Configurable)
            {
                return VdiResult.VD_E_PROTOCOL;
            }

            int index = buffers.IndexOfDataStart(buffer);
            if (index < 0 || !IsInFlight(control, buffers, index, out int generation))
            {
                return VdiResult.VD_E_INVALID;
            }

            bufferHandle = BufferHandle.Encode(control.HandleTag, index, generation);
            return VdiResult.NOERROR;
        }
        catch (CorruptSegmentException)
        {
            return Corrupt();
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <inheritdoc/>
    public VdiResult MapBufferHandle(uint bufferHandle, out nint buffer)
    {
        buffer = 0;
        if (!_gate.TryEnter())
        {
            return VdiResult.VD_E_PROTOCOL;
        }

        try
        {
            var control = _control;
            var buffers = _buffers;
            if (control is null || buffers is null || _state is LocalState.None or LocalState.Configurable)
            {
                return VdiResult.VD_E_PROTOCOL;
            }

            BufferHandle.Decode(control.HandleTag, bufferHandle, out int index, out int generation16);
            if (!buffers.EnsureMapped(index) || !IsInFlight(control, buffers, index, out int generation)
                || (generation & 0xFFFF) != generation16)
            {
                return VdiResult.VD_E_INVALID;
            }

            buffer = buffers.DataAddress(index);
            return VdiResult.NOERROR;
        }
        catch (CorruptSegmentException)
        {
            return Corrupt();
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// Whether buffer <paramref name="index"/> is allocated and carried by a VDC_Read or VDC_Write that a client of
    /// this set has fetched and not completed.
    /// </summary>
    private static bool IsInFlight(ControlSegment control, BufferAreaMap buffers, int index, out int generation)
    {
        generation = buffers.EntryWord(index, BufferAreaDescriptor.EntryGenerationOffset).ReadAcquire();
        if (buffers.EntryWord(index, BufferAreaDescriptor.EntryStateOffset).ReadAcquire() != 1)
        {
            return false;
        }

        int device = buffers.EntryWord(index, BufferAreaDescriptor.EntryInFlightDeviceOffset).ReadPlain() - 1;
        int sequence = buffers.EntryWord(index, BufferAreaDescriptor.EntryInFlightSequenceOffset).ReadPlain();
        if ((uint)device >= (uint)control.DeviceCount)
        {
            return false;
        }

        var slot = control.Device(device).Slot((uint)sequence);
        return slot.State.ReadAcquire() == (int)SlotState.Delivered
            && slot.Sequence.ReadPlain() == sequence
            && slot.Buffer.ReadPlain() == index + 1
            && slot.Command.ReadPlain() is (int)VdCommandCode.VDC_Read or (int)VdCommandCode.VDC_Write;
    }

    /// <summary>A check failed on the shared segment: abort the set and answer VD_E_UNEXPECTED.</summary>
    internal VdiResult Corrupt()
    {
        _control?.SignalAbort(AbortReason.CorruptSegment);
        return VdiResult.VD_E_UNEXPECTED;
    }

    /// <summary>Closes the set if one is open (see <see cref="Close"/>).</summary>
    public void Dispose()
    {
        if (_control is not null)
        {
            Close();
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_state == LocalState.None == (_control is null), "An object in state None holds no segment, and one holding a segment is not None.");
        Debug.Assert(_state != LocalState.Active || Array.Exists(_devices, d => d is not null), "An active set has opened a device.");
    }
}
