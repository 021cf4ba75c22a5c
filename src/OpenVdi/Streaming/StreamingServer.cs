using System.Diagnostics;

namespace OpenVdi;

/// <summary>
/// Plays the server's part of a streaming BACKUP or RESTORE over a virtual device set, the way SQL Server drives
/// VDI: open the set, configure it (BLOCKSIZE, MAXTRANSFERSIZE, BUFFERCOUNT buffers shared by all devices), run the
/// completion agent, and drive every device on its own thread with several commands in flight, in order.
/// BACKUP sends VDC_Write commands, VDC_Flush every <see cref="StreamingOptions.FlushInterval"/> and at the end,
/// then VDC_Complete when negotiated; RESTORE sends VDC_Read commands until the client reports the end of data or the
/// consumer has what it needs. A non-success completion ends that device as SQL Server does: outstanding commands
/// are drained, the device is closed, and the result names the failure.
/// </summary>
public sealed class StreamingServer : IDisposable
{
    /// <summary>Produces the next bytes of a device's stream into <c>buffer</c>; returns the count, 0 at the end.</summary>
    public delegate int Producer(int device, Span<byte> buffer);

    /// <summary>Takes the next bytes of a device's stream, in order; returns false once it needs no more from that device.</summary>
    public delegate bool Consumer(int device, ReadOnlySpan<byte> data);

    private readonly ServerVirtualDeviceSet _set = new();
    private readonly StreamingOptions _options;
    private readonly Stack<VdsCommand> _free = new();
    private IServerVirtualDevice[] _devices = [];
    private VdConfig _config;
    private string? _failure;
    private uint _failureCode;
    private int _failedDevice = -1;

    private StreamingServer(StreamingOptions options) => _options = options;

    /// <summary>The faithful server set underneath.</summary>
    public ServerVirtualDeviceSet Set => _set;

    /// <summary>The configuration negotiated with the client.</summary>
    public VdConfig Configuration => _config;

    /// <summary>
    /// Opens the client's set <paramref name="setName"/> (waiting for it to appear up to
    /// <see cref="StreamingOptions.OpenTimeout"/>), configures it for <paramref name="direction"/>
    /// (<see cref="VdFeatures.VDF_WriteMedia"/> for BACKUP, <see cref="VdFeatures.VDF_ReadMedia"/> for RESTORE) and
    /// opens the devices: the set's name first, then <paramref name="otherDeviceNames"/>.
    /// </summary>
    /// <param name="instance">The instance whose sets to open; null for the default instance.</param>
    /// <param name="setName">The set's name (the statement's first VIRTUAL_DEVICE).</param>
    /// <param name="direction">What the statement does with the devices.</param>
    /// <param name="options">BLOCKSIZE, MAXTRANSFERSIZE, BUFFERCOUNT and how long to wait for the set.</param>
    /// <param name="otherDeviceNames">The names of the devices after the first.</param>
    /// <param name="cancellationToken">Stops waiting for the set at once (a cancelled statement).</param>
    /// <exception cref="VdiException">A VDI call failed (VD_E_INVALID from Open: no such set); the set is closed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting for the set.</exception>
    public static StreamingServer Open(string? instance, string setName, VdFeatures direction, StreamingOptions options, IReadOnlyList<string> otherDeviceNames, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(otherDeviceNames);
        var server = new StreamingServer(options);
        try
        {
            server.Configure(instance, setName, direction, otherDeviceNames, cancellationToken);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    private void Configure(string? instance, string setName, VdFeatures direction, IReadOnlyList<string> otherDeviceNames, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        VdiResult result;
        while ((result = _set.Open(instance, setName)) == VdiResult.VD_E_INVALID && deadline.Elapsed < _options.OpenTimeout)
        {
            // The client creates the set before it sends the statement; a server started first polls for it, and a
            // cancel ends the wait at once.
            if (cancellationToken.WaitHandle.WaitOne(5))
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        cancellationToken.ThrowIfCancellationRequested();

        Check(result, "Open");
        Check(_set.GetConfiguration(out var requested), "GetConfiguration");
        if (requested.DeviceCount != otherDeviceNames.Count + 1)
        {
            _set.SignalAbort();
            throw new VdiException(VdiResult.VD_E_NOTSUPPORTED, $"The set has {requested.DeviceCount} devices; the statement names {otherDeviceNames.Count + 1}.");
        }

        var features = requested.Features | direction;
        if (_options.SendComplete && direction == VdFeatures.VDF_WriteMedia && (requested.Features & VdFeatures.VDF_RequestComplete) != 0)
        {
            features |= VdFeatures.VDF_CompleteEnabled;
        }

        Check(_set.BeginConfiguration(features, _options.BlockSize, 0, _options.MaxTransferSize, 0), "BeginConfiguration");
        uint count = _options.EffectiveBufferCount((int)requested.DeviceCount);
        Check(_set.RequestBuffers(_options.MaxTransferSize, 0, count), "RequestBuffers");
        Check(_set.EndConfiguration(), "EndConfiguration");
        Check(_set.GetConfiguration(out _config), "GetConfiguration");
        for (uint i = 0; i < count; i++)
        {
            Check(_set.AllocateBuffer(out nint buffer, _options.MaxTransferSize, 0), "AllocateBuffer");
            _free.Push(new VdsCommand { Buffer = buffer });
        }

        _devices = new IServerVirtualDevice[requested.DeviceCount];
        for (int i = 0; i < _devices.Length; i++)
        {
            Check(_set.OpenDevice(i == 0 ? setName : otherDeviceNames[i - 1], out var device), "OpenDevice");
            _devices[i] = _options.DeviceFilter?.Invoke(_set, i, device!) ?? device!;
        }
    }

    private static void Check(VdiResult result, string call)
    {
        if (result != VdiResult.NOERROR)
        {
            throw new VdiException(result, $"{call} failed: {result}.");
        }
    }

    /// <summary>Runs a BACKUP: every device's stream comes from <paramref name="producer"/>, called on that device's thread.</summary>
    /// <remarks>Cancelling aborts the set; the result then reports the abort.</remarks>
    public StreamingResult RunBackup(Producer producer, CancellationToken cancellationToken = default) =>
        Run((device, state) => BackupDevice(device, state, producer), cancellationToken);

    /// <summary>Runs a RESTORE: every device's stream goes to <paramref name="consumer"/>, in order, on that device's thread.</summary>
    /// <remarks>Cancelling aborts the set; the result then reports the abort.</remarks>
    public StreamingResult RunRestore(Consumer consumer, CancellationToken cancellationToken = default) =>
        Run((device, state) => RestoreDevice(device, state, consumer), cancellationToken);

    private StreamingResult Run(Action<int, DeviceState> body, CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(() => _set.SignalAbort());
        var agent = new Thread(() => _set.ExecuteCompletionAgent()) { IsBackground = true, Name = "VDI completion agent" };
        agent.Start();
        var states = new DeviceState[_devices.Length];
        var threads = new Thread[_devices.Length];
        // Each device keeps its share of the buffers in flight, no more than its command ring holds.
        int window = Math.Clamp((int)(_options.EffectiveBufferCount(_devices.Length) / (uint)_devices.Length), 1, Transport.ControlSegmentDescriptor.SlotsPerDevice);
        for (int i = 0; i < threads.Length; i++)
        {
            int device = i;
            states[i] = new DeviceState(window);
            threads[i] = new Thread(() => RunDevice(device, states[device], body)) { IsBackground = true, Name = $"VDI device {device}" };
            threads[i].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        agent.Join();
        bool aborted = _set.IsAborted;
        if (aborted)
        {
            Fail(-1, $"The set aborted ({_set.AbortReasonText}).", Win32Error.ERROR_OPERATION_ABORTED);
        }

        return new StreamingResult
        {
            Failure = _failure,
            CompletionCode = _failureCode,
            FailedDevice = _failedDevice,
            Aborted = aborted,
            BytesPerDevice = states.Select(s => s.Bytes).ToArray(),
        };
    }

    private void RunDevice(int device, DeviceState state, Action<int, DeviceState> body)
    {
        try
        {
            body(device, state);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The producer or consumer failed (a read error on the source, a corrupt stream): SQL Server aborts.
            Fail(device, e.Message, Win32Error.ERROR_OPERATION_ABORTED);
            _set.SignalAbort();
            Drain(device, state);
            _devices[device].CloseDevice();
        }
    }

    private void BackupDevice(int device, DeviceState state, Producer producer)
    {
        uint block = _options.BlockSize;
        long sinceFlush = 0;
        while (IsRunning)
        {
            var command = TakeBuffer(device, state);
            if (command is null)
            {
                break;
            }

            var span = _set.GetBufferSpan(command.Buffer, (int)_options.MaxTransferSize);
            int produced = producer(device, span);
            if (produced <= 0)
            {
                ReturnBuffer(command);
                break;
            }

            // Transfers are whole blocks: the tail of the last one is zero padding, as on a real backup medium.
            uint size = (uint)((produced + block - 1) / block * block);
            span[produced..(int)size].Clear();
            if (!Send(device, state, command, VdCommandCode.VDC_Write, size))
            {
                break;
            }

            sinceFlush += size;
            if (_options.FlushInterval > 0 && sinceFlush >= _options.FlushInterval)
            {
                sinceFlush = 0;
                Drain(device, state);
                SendControl(device, state, VdCommandCode.VDC_Flush);
            }
        }

        Drain(device, state);
        if (IsRunning)
        {
            SendControl(device, state, VdCommandCode.VDC_Flush);
            if (IsRunning && (_config.Features & VdFeatures.VDF_CompleteEnabled) != 0)
            {
                SendControl(device, state, VdCommandCode.VDC_Complete);
            }
        }

        _devices[device].CloseDevice();
    }

    private void RestoreDevice(int device, DeviceState state, Consumer consumer)
    {
        bool ended = false;
        bool refused = false;
        while (!ended && IsRunning)
        {
            // Keep the window full of reads, then consume the oldest in stream order.
            while (!refused && state.InFlight.Count < state.Window && TakeFreeBuffer() is { } command)
            {
                refused = !Send(device, state, command, VdCommandCode.VDC_Read, _options.MaxTransferSize);
            }

            if (state.InFlight.Count == 0 && refused)
            {
                break;
            }

            if (state.InFlight.Count == 0)
            {
                // Other devices hold every buffer: wait for one to come back.
                WaitForFreeBuffer();
                continue;
            }

            var oldest = WaitOldest(device, state);
            if (oldest is null)
            {
                break;
            }

            uint code = oldest.CompletionCode;
            bool eof = code is Win32Error.ERROR_HANDLE_EOF or Win32Error.ERROR_NO_DATA_DETECTED;
            if (code == Win32Error.ERROR_SUCCESS || eof)
            {
                state.Bytes += oldest.BytesTransferred;
                bool more = consumer(device, _set.GetBufferSpan(oldest.Buffer, (int)oldest.BytesTransferred));
                ended = eof || !more || oldest.BytesTransferred < oldest.Size;
            }
            else
            {
                Fail(device, $"A read on device {device} completed with operating system error {code}.", code);
            }

            ReturnBuffer(oldest);
        }

        // Reads still in flight after the end are answered and dropped: SQL Server stops reading when it has what it needs.
        Drain(device, state);
        _devices[device].CloseDevice();
    }

    private bool IsRunning => _failure is null && !_set.IsAborted;

    /// <summary>
    /// Sends a command; false when it was refused. A refusal for IO-ERROR is not the failure itself: an earlier command
    /// completed with an error (or, on a read, with end of data) and is still in flight, so the caller stops sending
    /// and consumes what is in flight, where the real answer is. Any other refusal fails the device.
    /// </summary>
    private bool Send(int device, DeviceState state, VdsCommand command, VdCommandCode code, uint size)
    {
        command.CommandCode = code;
        command.Size = size;
        command.CompletionContext = null;
        command.CompletionRoutine = state.OnCompleted;
        var result = _devices[device].SendCommand(command);
        if (result == VdiResult.NOERROR)
        {
            state.InFlight.Enqueue(command);
            if (code == VdCommandCode.VDC_Write)
            {
                state.Bytes += size;
            }

            return true;
        }

        // The refused command's routine already ran (with the reason's code): it is not in flight.
        if (command.Buffer != 0)
        {
            ReturnBuffer(command);
        }

        if (result != VdiResult.VD_E_IO_ERROR || state.InFlight.Count == 0)
        {
            Fail(device, $"SendCommand on device {device} failed with {result}.", command.CompletionCode);
        }

        return false;
    }

    /// <summary>Takes a buffer for the device: a free one while its window has room, else its oldest command's, once complete.</summary>
    private VdsCommand? TakeBuffer(int device, DeviceState state)
    {
        if (state.InFlight.Count < state.Window && TakeFreeBuffer() is { } free)
        {
            return free;
        }

        if (state.InFlight.Count == 0)
        {
            WaitForFreeBuffer();
            return TakeFreeBuffer();
        }

        var oldest = WaitOldest(device, state);
        return oldest is not null && Succeeded(device, oldest) ? oldest : null;
    }

    private VdsCommand? TakeFreeBuffer()
    {
        lock (_free)
        {
            return _free.Count > 0 ? _free.Pop() : null;
        }
    }

    private void WaitForFreeBuffer()
    {
        lock (_free)
        {
            while (_free.Count == 0 && IsRunning)
            {
                // Bounded so that an abort, which pulses nobody, is still seen.
                Monitor.Wait(_free, 100);
            }
        }
    }

    private void ReturnBuffer(VdsCommand command)
    {
        lock (_free)
        {
            _free.Push(command);
            Monitor.Pulse(_free);
        }
    }

    /// <summary>
    /// The device's oldest command once it completed; null when the client did not complete it within
    /// <see cref="StreamingOptions.CompletionTimeout"/> (the set is then aborted, and the command completes with 995).
    /// </summary>
    private VdsCommand? WaitOldest(int device, DeviceState state)
    {
        var oldest = state.InFlight.Peek();

        // Each completion releases the semaphore once, after setting its marker; the semaphore orders the two.
        while (oldest.CompletionContext is null)
        {
            if (!state.Completed.Wait(_options.CompletionTimeout))
            {
                Fail(device, $"The client did not complete a command on device {device} within {_options.CompletionTimeout.TotalMilliseconds:F0} ms.", Win32Error.ERROR_OPERATION_ABORTED);
                _set.SignalAbort();
                return null;
            }
        }

        state.InFlight.Dequeue();
        oldest.CompletionContext = null;
        return oldest;
    }

    private bool Succeeded(int device, VdsCommand command)
    {
        if (command.CompletionCode != Win32Error.ERROR_SUCCESS)
        {
            Fail(device, $"A {command.CommandCode} on device {device} completed with operating system error {command.CompletionCode}.", command.CompletionCode);
            ReturnBuffer(command);
            return false;
        }

        // A write reports the bytes it stored; fewer than were sent, with success, would lose the rest silently (SQL
        // Server re-issues the rest only after ERROR_END_OF_MEDIA on removable media, which this server does not use).
        if (command.CommandCode == VdCommandCode.VDC_Write && command.BytesTransferred != command.Size)
        {
            Fail(device, $"A write on device {device} reported {command.BytesTransferred} of {command.Size} bytes stored.", Win32Error.ERROR_WRITE_FAULT);
            ReturnBuffer(command);
            return false;
        }

        return true;
    }

    /// <summary>Waits for every command of the device; an abort completes them all with 995, so this always ends.</summary>
    private void Drain(int device, DeviceState state)
    {
        while (state.InFlight.Count > 0)
        {
            var command = WaitOldest(device, state) ?? WaitAfterAbort(state);

            // A failed write returns its buffer itself; every other command's buffer goes back here.
            if (command.CommandCode == VdCommandCode.VDC_Write && !Succeeded(device, command))
            {
                continue;
            }

            if (command.Buffer != 0)
            {
                ReturnBuffer(command);
            }
        }
    }

    private static VdsCommand WaitAfterAbort(DeviceState state)
    {
        var oldest = state.InFlight.Peek();
        while (oldest.CompletionContext is null)
        {
            state.Completed.Wait();
        }

        state.InFlight.Dequeue();
        oldest.CompletionContext = null;
        return oldest;
    }

    private void SendControl(int device, DeviceState state, VdCommandCode code)
    {
        var command = new VdsCommand();
        if (Send(device, state, command, code, 0))
        {
            var done = WaitOldest(device, state);
            if (done is not null && done.CompletionCode != Win32Error.ERROR_SUCCESS)
            {
                Fail(device, $"A {code} on device {device} completed with operating system error {done.CompletionCode}.", done.CompletionCode);
            }
        }
    }

    private void Fail(int device, string message, uint code)
    {
        if (Interlocked.CompareExchange(ref _failure, message, null) is null)
        {
            _failureCode = code;
            _failedDevice = device;
        }

        lock (_free)
        {
            Monitor.PulseAll(_free);
        }
    }

    /// <summary>Closes the set.</summary>
    public void Dispose() => _set.Dispose();

    /// <summary>Per-device state: the commands in flight in send order, and a count of completions to wait on.</summary>
    private sealed class DeviceState
    {
        private static readonly object s_done = new();

        public DeviceState(int window)
        {
            Window = window;
            OnCompleted = command =>
            {
                command.CompletionContext = s_done;
                Completed.Release();
            };
        }

        public int Window { get; }

        public Queue<VdsCommand> InFlight { get; } = new();

        public CompletionSignal Completed { get; } = new();

        public Action<VdsCommand> OnCompleted { get; }

        public long Bytes { get; set; }
    }
}
