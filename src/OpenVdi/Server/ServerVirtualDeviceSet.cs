using System.Diagnostics;
using System.Runtime.ExceptionServices;
using OpenVdi.Transport;
using static OpenVdi.Transport.ControlSegmentDescriptor;

namespace OpenVdi;

/// <summary>
/// The server half of a virtual device set over OpenVdi's shared-memory transport: the implementation of
/// <see cref="IServerVirtualDeviceSet2"/>, what SQL Server's side of VDI does. One object serves one set at a time.
/// </summary>
public sealed class ServerVirtualDeviceSet : IServerVirtualDeviceSet2, IDisposable
{
    private readonly Lock _lock = new();
    private readonly CallGate _gate = new();
    private ControlSegment? _control;
    private BufferAreaMap? _buffers;
    private BufferAllocator? _allocator;
    private ServerVirtualDevice?[] _devices = [];
    private LocalState _state;
    private VdConfig _requested;
    private VdConfig _negotiated;
    private int _agentRunning;
    private int _openedDevices;
    private int _closedDevices;

    // The set state this process last published, under its own lock (states move on from device threads and the
    // agent): the audit compares the shared word with it.
    private readonly Lock _stateLock = new();
    private SharedSetState _published;

    private enum LocalState
    {
        None,
        Connected,
        Configurable,
        Initializing,
        Active,
        NormallyTerminated,
    }

    /// <summary>The set's name, or null when no set is open.</summary>
    public string? Name => _control?.SetName;

    /// <summary>Whether the set has aborted.</summary>
    public bool IsAborted => _control?.IsAborted ?? false;

    /// <summary>Why the set aborted, in words; null while it has not.</summary>
    public string? AbortReasonText => _control is { } c && c.AbortReasonSeen is var r and not AbortReason.None ? r.ToString() : null;

    internal ControlSegment? Control => _control;

    internal BufferAllocator? Allocator => _allocator;

    internal CallGate Gate => _gate;

    /// <inheritdoc/>
    public VdiResult Open(string? instanceName, string setName)
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
                return result;
            }

            try
            {
                // A set whose primary is gone is stale: nobody would serve its devices, and nobody else would remove it.
                if (control!.IsGone(LivenessLock.PrimaryByte) || control.PrimaryClosed.ReadAcquire() != 0)
                {
                    string path = control.Path;
                    control.Dispose();
                    StaleSegments.TryReclaim(path);
                    return VdiResult.VD_E_INVALID;
                }

                if (!LivenessLock.TryAcquire(control.FileDescriptor, LivenessLock.ServerByte))
                {
                    control.Dispose();
                    return VdiResult.VD_E_INVALID;
                }

                if (control.IsAborted)
                {
                    control.Dispose();
                    return VdiResult.VD_E_ABORT;
                }

                if (control.SetState.CompareExchange((int)SharedSetState.Connected, (int)SharedSetState.Created) != (int)SharedSetState.Created)
                {
                    bool aborted = control.IsAborted;
                    control.Dispose();
                    return aborted ? VdiResult.VD_E_ABORT : VdiResult.VD_E_INVALID;
                }

                control.Pid(server: true).WritePlain(Environment.ProcessId);
                _ = control.ReadSetState();
                _requested = control.ReadConfig(negotiated: false);
                _requested.DeviceCount = (uint)control.DeviceCount;

                // The request is the client's, read from shared memory: checked before anything is sized from it.
                if (!VdConfigRules.IsSupportedRequest(_requested))
                {
                    control.SignalAbort(AbortReason.CorruptSegment);
                    control.Dispose();
                    _requested = default;
                    return VdiResult.VD_E_UNEXPECTED;
                }
                _control = control;
                _published = SharedSetState.Connected;
                _devices = new ServerVirtualDevice?[control.DeviceCount];
                _openedDevices = _closedDevices = 0;
                _gate.Reset();
                _state = LocalState.Connected;
                control.SignalSetEvent();
                return VdiResult.NOERROR;
            }
            catch (CorruptSegmentException)
            {
                control!.Dispose();
                return VdiResult.VD_E_INVALID;
            }
        }
    }

    /// <summary>
    /// Open, waiting for the client to create the set: as SQL Server does when a statement names a set before its
    /// client made it. The wait is on the segment directory's change notifications (inotify), not a poll: a set takes
    /// its name in one atomic rename once it is ready to open. Where notifications are unavailable (the per-user
    /// limit of inotify instances reached) it falls back to looking every 5 ms.
    /// </summary>
    /// <param name="instanceName">The instance; null or empty for the default instance.</param>
    /// <param name="setName">The set's name.</param>
    /// <param name="timeout">How long to wait for the set to appear.</param>
    /// <param name="cancellationToken">Ends the wait at once.</param>
    /// <returns>What <see cref="Open"/> answers; VD_E_INVALID when no set of that name appeared in time.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<VdiResult> OpenWhenCreatedAsync(string? instanceName, string setName, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        string? instance = SegmentName.NormalizeInstance(instanceName);
        if (instance is null || !SegmentName.IsValidName(setName))
        {
            return Open(instanceName, setName);
        }

        string path = SegmentName.ControlPath(instance, setName);
        using var appeared = new SemaphoreSlim(0);
        using var watcher = TryWatch(path, appeared);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var result = Open(instanceName, setName);
            var left = timeout - clock.Elapsed;
            if (result != VdiResult.VD_E_INVALID || left <= TimeSpan.Zero)
            {
                return result;
            }

            // Until the next change of the name (or, without notifications, a moment).
            var wait = watcher is null ? TimeSpan.FromMilliseconds(5) : left;
            await appeared.WaitAsync(wait < left ? wait : left, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void Signal(SemaphoreSlim appeared)
    {
        try
        {
            appeared.Release();
        }
        catch (ObjectDisposedException)
        {
            // A notification that came after the wait ended.
        }
    }

    private static FileSystemWatcher? TryWatch(string path, SemaphoreSlim appeared)
    {
        try
        {
            var watcher = new FileSystemWatcher(System.IO.Path.GetDirectoryName(path)!, System.IO.Path.GetFileName(path))
            {
                NotifyFilter = NotifyFilters.FileName,
            };
            watcher.Created += (_, _) => Signal(appeared);
            watcher.Renamed += (_, _) => Signal(appeared);
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public VdiResult GetConfiguration(out VdConfig config)
    {
        config = default;
        lock (_lock)
        {
            if (_state == LocalState.None)
            {
                return VdiResult.VD_E_PROTOCOL;
            }

            if (_control!.IsAborted)
            {
                return VdiResult.VD_E_ABORT;
            }

            config = _state is LocalState.Connected or LocalState.Configurable ? _requested : _negotiated;
            return VdiResult.NOERROR;
        }
    }

    /// <inheritdoc/>
    public VdiResult BeginConfiguration(VdFeatures features, uint blockSize, uint alignment, uint maxTransferSize, uint timeoutMs)
    {
        lock (_lock)
        {
            if (_state == LocalState.None)
            {
                return VdiResult.VD_E_PROTOCOL;
            }

            if (_control!.IsAborted)
            {
                return VdiResult.VD_E_ABORT;
            }

            if (_state != LocalState.Connected)
            {
                return VdiResult.VD_E_PROTOCOL;
            }

            if (alignment == 0)
            {
                alignment = blockSize;
            }

            bool valid = VdiLimits.IsValidBlockSize(blockSize)
                && VdiLimits.IsValidAlignment(alignment) && alignment >= blockSize
                && VdiLimits.IsValidMaxTransferSize(maxTransferSize)
                && VdConfigRules.IsValidAnswer(_requested.Features, features);
            if (!valid)
            {
                return VdiResult.VD_E_INVALID;
            }

            uint baseAlignment = Math.Max(alignment, _requested.Alignment);
            _negotiated = _requested;
            _negotiated.Features = features;
            _negotiated.Alignment = baseAlignment;
            _negotiated.BlockSize = blockSize;
            _negotiated.MaxIODepth = VdiLimits.MaxIODepth;
            _negotiated.MaxTransferSize = maxTransferSize;
            _buffers = new BufferAreaMap(_control, _requested.PrefixZoneSize);
            _allocator = new BufferAllocator(_control, _buffers, _requested.PrefixZoneSize, (int)baseAlignment);
            PublishState(SharedSetState.Configurable);
            _state = LocalState.Configurable;
            return VdiResult.NOERROR;
        }
    }

    /// <inheritdoc/>
    public VdiResult RequestBuffers(uint size, uint alignment, uint count)
    {
        lock (_lock)
        {
            var check = CheckState(LocalState.Configurable, LocalState.Active);
            if (check != VdiResult.NOERROR)
            {
                return check;
            }

            var result = _allocator!.Declare(size, alignment, count);
            if (result == VdiResult.NOERROR && _state != LocalState.Configurable)
            {
                result = _allocator.CreateSegment();
            }

            return result;
        }
    }

    /// <inheritdoc/>
    public VdiResult QueryAvailableBuffers(uint size, uint alignment, out uint count)
    {
        count = 0;
        lock (_lock)
        {
            // After an abort, the server table (spec 5.3) says PROTOCOL, and no method page says otherwise (unlike
            // BeginConfiguration's and RequestBuffers', which list VD_E_ABORT).
            if (_control is { } control && control.IsAborted)
            {
                return VdiResult.VD_E_PROTOCOL;
            }

            var check = CheckState(LocalState.Configurable, LocalState.Active);
            if (check != VdiResult.NOERROR)
            {
                return check;
            }

            count = (uint)_allocator!.CountAvailable(size, alignment);
            return VdiResult.NOERROR;
        }
    }

    /// <inheritdoc/>
    public VdiResult EndConfiguration()
    {
        lock (_lock)
        {
            if (_state == LocalState.None)
            {
                return VdiResult.VD_E_PROTOCOL;
            }

            if (_control!.IsAborted)
            {
                return VdiResult.VD_E_ABORT;
            }

            if (_state != LocalState.Configurable)
            {
                return VdiResult.VD_E_PROTOCOL;
            }

            try
            {
                var result = _allocator!.CreateSegment();
                if (result != VdiResult.NOERROR)
                {
                    return VdiResult.VD_E_MEMORY;
                }

                _negotiated.BufferAreaSize = (uint)Math.Min(_buffers!.TotalLength, uint.MaxValue);
                _control.WriteNegotiatedConfig(_negotiated);

                // Release: the negotiated configuration and the area are visible before the state that frees GetConfiguration.
                PublishState(SharedSetState.Initializing);
                _control.SignalSetEvent();
                _state = LocalState.Initializing;
                return VdiResult.NOERROR;
            }
            catch (CorruptSegmentException)
            {
                return Corrupt();
            }
        }
    }

    /// <inheritdoc/>
    public VdiResult OpenDevice(string name, out IServerVirtualDevice? device)
    {
        device = null;
        lock (_lock)
        {
            var check = CheckState(LocalState.Initializing, LocalState.Active);
            if (check != VdiResult.NOERROR)
            {
                return check;
            }

            if (_openedDevices == _devices.Length)
            {
                return VdiResult.VD_E_OPEN;
            }

            if (!SegmentName.IsValidName(name) || Array.Exists(_devices, d => d?.Name == name))
            {
                return VdiResult.VD_E_INVALID;
            }

            int index = name == _control!.SetName ? 0 : Array.FindIndex(_devices, 1, d => d is null);
            if (index < 0)
            {
                return VdiResult.VD_E_INVALID;
            }

            try
            {
                var record = _control.Device(index);
                record.WriteName(name);

                // Release: the name is complete before a client sees the device bound.
                record.Bound.WriteRelease(1);
                var opened = new ServerVirtualDevice(this, _control, index, name);
                _devices[index] = opened;
                _openedDevices++;
                if (_state == LocalState.Initializing)
                {
                    _state = LocalState.Active;
                    PublishState(SharedSetState.Active);
                }

                _control.SignalSetEvent();
                device = opened;
                return VdiResult.NOERROR;
            }
            catch (CorruptSegmentException)
            {
                return Corrupt();
            }
        }
    }

    /// <inheritdoc/>
    public VdiResult AllocateBuffer(out nint buffer, uint size, uint alignment)
    {
        buffer = 0;
        var check = CheckStateUnlocked(LocalState.Initializing, LocalState.Active);
        return check != VdiResult.NOERROR ? check : _allocator!.Allocate(size, alignment, out buffer);
    }

    /// <inheritdoc/>
    public VdiResult FreeBuffer(nint buffer, uint size)
    {
        var state = _state;
        if (state is LocalState.None or LocalState.Connected or LocalState.Configurable || _allocator is null)
        {
            return VdiResult.VD_E_PROTOCOL;
        }

        return _allocator.Free(buffer, size);
    }

    /// <inheritdoc/>
    public bool IsSharedBuffer(nint buffer) => _state != LocalState.None && _allocator is { } allocator && allocator.IsShared(buffer);

    /// <summary>
    /// The first <paramref name="length"/> bytes of an allocated buffer as a span, to fill before a VDC_Write or read
    /// after a VDC_Read, in place. Throws <see cref="ArgumentException"/> for an address that is not a buffer's data
    /// start or a length over its capacity.
    /// </summary>
    public Span<byte> GetBufferSpan(nint buffer, int length)
    {
        var buffers = _buffers ?? throw new InvalidOperationException("The set has no buffer area.");
        int index = buffers.IndexOfDataStart(buffer);
        if (index < 0 || length < 0 || length > buffers.Capacity(index))
        {
            throw new ArgumentException("Not the data start of a buffer of this set, or longer than the buffer.", nameof(buffer));
        }

        return buffers.Data(index, length);
    }

    /// <inheritdoc/>
    public VdiResult ExecuteCompletionAgent()
    {
        lock (_lock)
        {
            // A set that aborted before its agent started may have commands outstanding already (a device sends
            // as soon as it is open): the agent still enters, and its loop completes them with 995 first thing.
            var check = CheckState(LocalState.Initializing, LocalState.NormallyTerminated);
            bool abortedFirst = check == VdiResult.VD_E_ABORT && _state is >= LocalState.Initializing and <= LocalState.NormallyTerminated;
            if (check != VdiResult.NOERROR && !abortedFirst)
            {
                return check;
            }

            if (Interlocked.CompareExchange(ref _agentRunning, 1, 0) != 0 || !_gate.TryEnter())
            {
                Volatile.Write(ref _agentRunning, 0);
                return VdiResult.VD_E_PROTOCOL;
            }

            if (_state == LocalState.Initializing && !abortedFirst)
            {
                _state = LocalState.Active;
                PublishState(SharedSetState.Active);
            }
        }

        try
        {
            return RunAgent();
        }
        catch (CorruptSegmentException)
        {
            Corrupt();
            CompleteAllAborted();
            return VdiResult.VD_E_ABORT;
        }
        finally
        {
            _gate.Exit();
            Volatile.Write(ref _agentRunning, 0);
        }
    }

    /// <summary>
    /// The completion loop. Clients set a device's bit in the dirty mask after completing; the agent takes the whole
    /// mask at once and retires the completed slots of those devices, then sleeps on its event word only when the
    /// mask is empty. While asleep it wakes every liveness interval to probe the primary and check serverTimeOut.
    /// </summary>
    private VdiResult RunAgent()
    {
        var control = _control!;
        uint timeout = _requested.ServerTimeOut;
        long lastProgress = Stopwatch.GetTimestamp();
        long nextAudit = lastProgress;
        bool idle = true;
        bool retired = false;
        ExceptionDispatchInfo? routineFailure = null;
        while (true)
        {
            int observed = control.AgentEvent.ReadAcquire();
            if (control.IsAborted)
            {
                // Every other outstanding command completes with 995 before a routine's exception goes on up.
                var sweepFailure = CompleteAllAborted();
                (routineFailure ?? sweepFailure)?.Throw();
                return VdiResult.VD_E_ABORT;
            }

            if (_gate.IsClosed)
            {
                return VdiResult.NOERROR;
            }

            long now = Stopwatch.GetTimestamp();
            if (now >= nextAudit)
            {
                nextAudit = now + s_auditIntervalTicks;
                routineFailure ??= AuditUnsynchronized(control, now);
                if (routineFailure is not null)
                {
                    // A completion routine threw: the operation cannot go on consistently.
                    control.SignalAbort(AbortReason.ServerSignalled);
                }

                if (control.IsAborted)
                {
                    continue;
                }
            }

            long mask = control.DirtyDevices.Exchange(0);
            if (mask != 0)
            {
                while (mask != 0)
                {
                    int device = System.Numerics.BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                    if ((uint)device < (uint)_devices.Length && _devices[device] is { } d)
                    {
                        routineFailure ??= d.RetireCompleted();
                    }
                }

                if (routineFailure is not null)
                {
                    // A completion routine threw: the operation cannot go on consistently.
                    control.SignalAbort(AbortReason.ServerSignalled);
                }

                lastProgress = Stopwatch.GetTimestamp();
                idle = false;
                retired = true;
                continue;
            }

            bool anyPending = HasPendingUnsynchronized();
            if (!anyPending && Volatile.Read(ref _closedDevices) == _devices.Length)
            {
                return VdiResult.NOERROR;
            }

            if (!anyPending)
            {
                idle = true;
            }
            else if (idle)
            {
                // The clock starts when commands are first seen pending (within one wake interval of their send).
                idle = false;
                lastProgress = Stopwatch.GetTimestamp();
            }
            else if (timeout != 0 && Stopwatch.GetElapsedTime(lastProgress).TotalMilliseconds > 2.0 * timeout)
            {
                control.SignalAbort(AbortReason.ServerTimeout);
                continue;
            }

            // A set in full flow (the last look retired something, and commands are out) spins a moment first: the
            // next completion usually follows at once.
            bool flowing = retired && anyPending;
            retired = false;
            if (flowing && WaitPolicy.SpinUntil(ServingThreads, control, static c => c.DirtyDevices.ReadAcquire() != 0 || c.IsAborted))
            {
                continue;
            }

            // Dekker with NotifyAgent: publish the waiting flag, then look at the mask once more before sleeping.
            control.AgentWaiting.Exchange(1);
            if (control.DirtyDevices.ReadAcquire() == 0 && !control.IsAborted && !_gate.IsClosed)
            {
                int slice = WaitPolicy.LivenessIntervalMs;
                if (timeout != 0)
                {
                    slice = (int)Math.Clamp(timeout / 2, 1, slice);
                }

                control.WaitOn(AgentEventOffset, observed, slice);
            }

            control.AgentWaiting.WriteRelease(0);
        }
    }

    /// <summary>
    /// The threads of this process that carry the set's devices, the agent's included (1: every device on the agent's
    /// thread). The agent spins before sleeping only when they and one client thread fit on the processors
    /// (<see cref="SpinPlaces"/>): beside device threads of its own, a spinning agent takes the processor they copy on.
    /// </summary>
    internal int ServingThreads { get; set; } = 1;

    /// <summary>Whether a command sent on some device is still outstanding (the agent's thread).</summary>
    private bool HasPendingUnsynchronized()
    {
        foreach (var d in _devices)
        {
            if (d is not null && d.HasPending)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Every device closed and every command retired: the set has ended normally (the agent's thread).</summary>
    private bool HasEndedUnsynchronized() => Volatile.Read(ref _closedDevices) == _devices.Length && !HasPendingUnsynchronized();

    /// <summary>How often the agent audits the set: the liveness interval, so that a dead primary is noticed in time.</summary>
    private static readonly long s_auditIntervalTicks = Stopwatch.Frequency * WaitPolicy.LivenessIntervalMs / 1000;

    /// <summary>A slot a completer holds in Completing for longer than this was forged (a completer needs microseconds).</summary>
    private static readonly long s_stuckCompletionTicks = Stopwatch.Frequency;

    /// <summary>
    /// The agent's audit, at least every liveness interval, run on the agent's thread (which alone retires
    /// completions): the primary is still there; the words this process owns hold what it wrote; no outstanding
    /// command sits in a state no live client leaves it in; completions whose notification a peer erased are retired
    /// anyway; an abort a peer cleared is written back. Whatever a hostile writer does, the set then ends (succeeds,
    /// or aborts) instead of waiting for ever. Returns a completion routine's exception, if one threw.
    /// </summary>
    private ExceptionDispatchInfo? AuditUnsynchronized(ControlSegment control, long now)
    {
        control.ReassertAbort();
        ExceptionDispatchInfo? failure = null;

        // The primary's lock goes when it closes or dies. While commands or devices are left, a primary that is gone
        // can never finish them: abort. Once every device is closed and every command retired (completions not seen
        // yet are retired first) the set has ended, and a primary that closed right after its devices ended is the
        // normal course: the agent's next turn returns. The "closed normally" flag only names the reason (a peer may
        // forge it).
        if (control.IsGone(LivenessLock.PrimaryByte))
        {
            foreach (var device in _devices)
            {
                if (device is not null && device.HasPending)
                {
                    failure ??= device.RetireCompleted();
                }
            }

            if (!HasEndedUnsynchronized())
            {
                control.SignalAbort(control.PrimaryClosed.ReadAcquire() != 0 ? AbortReason.PrimaryClosed : AbortReason.PrimaryClientDied);
            }

            return failure;
        }

        AuditSetWords(control);
        foreach (var device in _devices)
        {
            if (device is null)
            {
                continue;
            }

            device.Audit(now, s_stuckCompletionTicks);
            if (device.HasPending)
            {
                failure ??= device.RetireCompleted();
            }
        }

        return failure;
    }

    /// <summary>The set state and the negotiated configuration hold what this process wrote.</summary>
    private void AuditSetWords(ControlSegment control)
    {
        lock (_stateLock)
        {
            int shared = control.SetState.ReadAcquire();
            if (shared != (int)_published)
            {
                throw new CorruptSegmentException($"The set state word holds {shared}; the server published {_published}.");
            }

            if (_published >= SharedSetState.Initializing)
            {
                var negotiated = control.ReadConfig(negotiated: true);
                if (!System.Runtime.InteropServices.MemoryMarshal.AsBytes(new ReadOnlySpan<VdConfig>(in negotiated))
                    .SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(new ReadOnlySpan<VdConfig>(in _negotiated))))
                {
                    throw new CorruptSegmentException("The negotiated configuration is not what the server wrote.");
                }
            }
        }
    }

    /// <summary>Moves the shared set state on, and remembers it for the audit.</summary>
    private void PublishState(SharedSetState state)
    {
        lock (_stateLock)
        {
            _published = state;
            _control!.PublishSetState(state);
        }
    }

    /// <summary>Completes every outstanding command with ERROR_OPERATION_ABORTED, running the routines here.</summary>
    private ExceptionDispatchInfo? CompleteAllAborted()
    {
        ExceptionDispatchInfo? failure = null;
        foreach (var device in _devices)
        {
            failure ??= device?.CompleteAllAborted();
        }

        return failure;
    }

    internal void OnDeviceClosed()
    {
        // No lock here: CloseDevice may run inside a completion routine while Close holds the lock and waits for it.
        if (Interlocked.Increment(ref _closedDevices) == _devices.Length)
        {
            if (_state == LocalState.Active)
            {
                _state = LocalState.NormallyTerminated;
            }

            PublishState(SharedSetState.NormallyTerminated);
            _control!.SignalSetEvent();
        }

        // The agent re-checks whether everything is closed and completed.
        _control!.Bump(AgentEventOffset);
    }

    /// <inheritdoc/>
    public VdiResult SignalAbort()
    {
        var control = _control;
        if (control is null || _state == LocalState.None)
        {
            return VdiResult.VD_E_PROTOCOL;
        }

        control.SignalAbort(AbortReason.ServerSignalled);
        return VdiResult.NOERROR;
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
                if (!control.IsAborted && _state != LocalState.NormallyTerminated)
                {
                    bool devicesOpen = _openedDevices > Volatile.Read(ref _closedDevices);
                    control.SignalAbort(devicesOpen ? AbortReason.ServerClosedWithOpenDevices : AbortReason.ServerSignalled);
                    result = devicesOpen ? VdiResult.VD_E_PROTOCOL : VdiResult.NOERROR;
                }

                // An agent in its loop sees the abort or the closed gate and returns; then the routines of what is
                // left outstanding run here.
                _gate.Close();
                control.WakeEverything();
                _gate.Drain();
                CompleteAllAborted();
                control.ServerClosed.WriteRelease(1);
            }
            catch (CorruptSegmentException)
            {
                control.SignalAbort(AbortReason.CorruptSegment);
            }

            Release(control);
            return result;
        }
    }

    private void Release(ControlSegment control)
    {
        // The server made the buffer segments: their names go now. The control segment is the primary's, unless
        // the primary is gone, when nobody else would remove it.
        if (_allocator is not null)
        {
            for (int k = 0; k < _allocator.CreatedSegments.Count; k++)
            {
                FileIdentity.UnlinkIfSame(SegmentName.BufferPath(control.Path, k), _allocator.CreatedSegments[k]);
            }
        }

        // The set is over for everyone once its server closed: its name goes now, whoever created it. A primary that
        // dies after this (before its own Close) leaves nothing behind; a live one finds the name gone and has
        // nothing left to remove.
        control.Unlink();

        _buffers?.Dispose();
        control.Dispose();
        _control = null;
        _buffers = null;
        _allocator = null;
        _devices = [];
        _state = LocalState.None;
        _requested = _negotiated = default;
    }

    private VdiResult CheckState(LocalState from, LocalState to)
    {
        if (_state == LocalState.None)
        {
            return VdiResult.VD_E_PROTOCOL;
        }

        if (_control!.IsAborted)
        {
            return VdiResult.VD_E_ABORT;
        }

        return _state >= from && _state <= to ? VdiResult.NOERROR : VdiResult.VD_E_PROTOCOL;
    }

    private VdiResult CheckStateUnlocked(LocalState from, LocalState to)
    {
        var control = _control;
        var state = _state;
        if (control is null || state == LocalState.None)
        {
            return VdiResult.VD_E_PROTOCOL;
        }

        if (control.IsAborted)
        {
            return VdiResult.VD_E_ABORT;
        }

        return state >= from && state <= to ? VdiResult.NOERROR : VdiResult.VD_E_PROTOCOL;
    }

    internal VdiResult Corrupt()
    {
        _control?.SignalAbort(AbortReason.CorruptSegment);
        return VdiResult.VD_E_UNEXPECTED;
    }

    internal bool IsSendable => _state is LocalState.Initializing or LocalState.Active;

    /// <summary>Closes the set if one is open (see <see cref="Close"/>).</summary>
    public void Dispose()
    {
        if (_control is not null)
        {
            Close();
        }
    }
}
