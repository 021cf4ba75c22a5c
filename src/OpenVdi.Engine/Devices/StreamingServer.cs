namespace OpenVdi.Engine.Devices;

/// <summary>
/// Plays the server's part of a streaming BACKUP or RESTORE over a virtual device set, the way SQL Server drives
/// VDI: open the set, configure it (BLOCKSIZE, MAXTRANSFERSIZE, BUFFERCOUNT buffers shared by all devices), run the
/// completion agent, and drive every device with several commands in flight, in order. BACKUP sends VDC_Write
/// commands, VDC_Flush every <see cref="StreamingOptions.FlushInterval"/> and at the end, then VDC_Complete when
/// negotiated; RESTORE sends VDC_Read commands until the client reports the end of data or the consumer has what it
/// needs. A non-success completion ends that device as SQL Server does: outstanding commands are drained, the device
/// is closed, and the result names the failure.
/// </summary>
/// <remarks>
/// <para>
/// Every device's loop is an asynchronous method that waits on awaitables completed by the set's completion routines;
/// routines run on the completion agent's thread, and by default the loops' continuations run there too. So the whole
/// server side of a statement is two threads whatever the device count: the agent, which carries every device, and the
/// caller's, which starts the loops and waits for their end. A completion reaches the device that sent it without a hop
/// through another thread, and nothing sleeps or polls. The producer and the consumer then run on that one thread, one
/// device at a time: they need no locking between devices, and should not block for long (a read of the page cache is
/// fine).
/// </para>
/// <para>
/// With <see cref="StreamingOptions.ParallelDevices"/> each device's loop runs on a thread of its own, handed its
/// completions by the agent: N + 2 threads for N devices, a wake-up more per command, and the devices' copies run in
/// parallel (the producer or consumer must then share nothing between devices unsynchronized).
/// </para>
/// </remarks>
public sealed partial class StreamingServer : IDisposable
{
    /// <summary>Produces the next bytes of a device's stream into <c>buffer</c>; returns the count, 0 at the end.</summary>
    public delegate int Producer(int device, Span<byte> buffer);

    /// <summary>Takes the next bytes of a device's stream, in order; returns false once it needs no more from that device.</summary>
    public delegate bool Consumer(int device, ReadOnlySpan<byte> data);

    private readonly ServerVirtualDeviceSet _set = new();
    private readonly StreamingOptions _options;
    private readonly BufferPool _pool = new();
    private readonly CancellationTokenSource _ended = new();
    private IServerVirtualDevice[] _devices = [];
    private IStreamingHooks?[] _hooks = [];
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
    /// <returns>The server, configured, its devices open.</returns>
    /// <exception cref="VdiException">A VDI call failed (VD_E_INVALID from Open: no such set; VD_E_NOTSUPPORTED: the set has another device count); the set is closed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting for the set.</exception>
    public static async Task<StreamingServer> OpenAsync(string? instance, string setName, VdFeatures direction, StreamingOptions options, IReadOnlyList<string> otherDeviceNames, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(otherDeviceNames);
        var server = new StreamingServer(options);
        try
        {
            await server.ConfigureAsync(instance, setName, direction, otherDeviceNames, cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>
    /// <see cref="OpenAsync"/>, waiting on the calling thread.
    /// </summary>
    /// <param name="instance">The instance whose sets to open; null for the default instance.</param>
    /// <param name="setName">The set's name (the statement's first VIRTUAL_DEVICE).</param>
    /// <param name="direction">What the statement does with the devices.</param>
    /// <param name="options">BLOCKSIZE, MAXTRANSFERSIZE, BUFFERCOUNT and how long to wait for the set.</param>
    /// <param name="otherDeviceNames">The names of the devices after the first.</param>
    /// <param name="cancellationToken">Stops waiting for the set at once (a cancelled statement).</param>
    /// <returns>The server, configured, its devices open.</returns>
    /// <exception cref="VdiException">As <see cref="OpenAsync"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting for the set.</exception>
    public static StreamingServer Open(string? instance, string setName, VdFeatures direction, StreamingOptions options, IReadOnlyList<string> otherDeviceNames, CancellationToken cancellationToken = default) =>
        OpenAsync(instance, setName, direction, options, otherDeviceNames, cancellationToken).GetAwaiter().GetResult();

    private async Task ConfigureAsync(string? instance, string setName, VdFeatures direction, IReadOnlyList<string> otherDeviceNames, CancellationToken cancellationToken)
    {
        var opened = await _set.OpenWhenCreatedAsync(instance, setName, _options.OpenTimeout, cancellationToken).ConfigureAwait(false);
        Check(opened, "Open");
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
            _pool.Add(new VdsCommand { Buffer = buffer });
        }

        _devices = new IServerVirtualDevice[requested.DeviceCount];
        _hooks = new IStreamingHooks?[requested.DeviceCount];
        for (int i = 0; i < _devices.Length; i++)
        {
            Check(_set.OpenDevice(i == 0 ? setName : otherDeviceNames[i - 1], out var device), "OpenDevice");
            _devices[i] = device!;
            _hooks[i] = _options.Hooks?.Invoke(_set, i);
        }
    }

    private static void Check(VdiResult result, string call)
    {
        if (result != VdiResult.NOERROR)
        {
            throw new VdiException(result, $"{call} failed: {result}.");
        }
    }

    /// <summary>Runs a BACKUP: every device's stream comes from <paramref name="producer"/>, on the agent's thread (or the device's own: <see cref="StreamingOptions.ParallelDevices"/>).</summary>
    /// <param name="producer">Fills a device's next buffer.</param>
    /// <param name="cancellationToken">Aborts the set; the result then reports the abort.</param>
    /// <returns>How every device ended.</returns>
    public StreamingResult RunBackup(Producer producer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(producer);
        return Run(device => BackupDeviceAsync(device, producer), cancellationToken);
    }

    /// <summary>Runs a RESTORE: every device's stream goes to <paramref name="consumer"/>, in order, on the agent's thread (or the device's own: <see cref="StreamingOptions.ParallelDevices"/>).</summary>
    /// <param name="consumer">Takes a device's next bytes.</param>
    /// <param name="cancellationToken">Aborts the set; the result then reports the abort.</param>
    /// <returns>How every device ended.</returns>
    public StreamingResult RunRestore(Consumer consumer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        return Run(device => RestoreDeviceAsync(device, consumer), cancellationToken);
    }

    private StreamingResult Run(Func<DeviceState, Task> body, CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(() => _set.SignalAbort());
        bool ownThreads = _options.ParallelDevices && _devices.Length > 1 && Environment.ProcessorCount > 1;
        _set.ServingThreads = ownThreads ? _devices.Length + 1 : 1;
        var agent = new Thread(RunAgent) { IsBackground = true, Name = "VDI completion agent" };
        agent.Start();

        // Each device keeps its share of the buffers in flight, no more than its command ring holds.
        int window = Math.Clamp((int)(_options.EffectiveBufferCount(_devices.Length) / (uint)_devices.Length), 1, VdiLimits.MaxCommandsPerDevice);
        var states = new DeviceState[_devices.Length];
        var loops = new Task[_devices.Length];
        for (int i = 0; i < states.Length; i++)
        {
            var state = states[i] = new DeviceState(i, _devices[i], window, ownThreads ? new LoopThread($"VDI device {i}") : null);
            loops[i] = state.OwnThread is { } thread ? thread.Start(() => RunDeviceAsync(state, body)) : RunDeviceAsync(state, body);
        }

        // Not cancellable here: a cancellation aborts the set, and the loops end on their own once it has.
        Task.WaitAll(loops, CancellationToken.None);
        foreach (var state in states)
        {
            state.OwnThread?.Dispose();
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

    /// <summary>The completion agent's thread: retires completions (and so runs the device loops) until the set ends.</summary>
    private void RunAgent()
    {
        try
        {
            _set.ExecuteCompletionAgent();
        }
        finally
        {
            // Whatever still waits (a stall, a buffer) is over: the set ended or aborted.
            _pool.Close();
            _ended.Cancel();
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "A producer's or consumer's failure fails the statement, whatever it is.")]
    private async Task RunDeviceAsync(DeviceState state, Func<DeviceState, Task> body)
    {
        try
        {
            await body(state).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The producer or consumer failed (a read error on the source, a corrupt stream): SQL Server aborts.
            Fail(state.Index, e.Message, Win32Error.ERROR_OPERATION_ABORTED);
            _set.SignalAbort();
            await DrainAsync(state).ConfigureAwait(false);
            state.Device.CloseDevice();
        }
    }

    private async Task BackupDeviceAsync(DeviceState state, Producer producer)
    {
        uint block = _options.BlockSize;
        long sinceFlush = 0;
        while (IsRunning)
        {
            var command = await TakeBufferAsync(state).ConfigureAwait(false);
            if (command is null)
            {
                break;
            }

            var span = _set.GetBufferSpan(command.Buffer, (int)_options.MaxTransferSize);
            int produced = producer(state.Index, span);
            if (produced <= 0)
            {
                _pool.Return(command);
                break;
            }

            // Transfers are whole blocks: the tail of the last one is zero padding, as on a real backup medium.
            uint size = (uint)((produced + block - 1) / block * block);
            span[produced..(int)size].Clear();
            if (!await SendAsync(state, command, VdCommandCode.VDC_Write, size).ConfigureAwait(false))
            {
                break;
            }

            sinceFlush += size;
            if (_options.FlushInterval > 0 && sinceFlush >= _options.FlushInterval)
            {
                sinceFlush = 0;
                await DrainAsync(state).ConfigureAwait(false);
                await SendControlAsync(state, VdCommandCode.VDC_Flush).ConfigureAwait(false);
            }
        }

        await DrainAsync(state).ConfigureAwait(false);
        RequireCauseOfRefusal(state);
        if (IsRunning)
        {
            await SendControlAsync(state, VdCommandCode.VDC_Flush).ConfigureAwait(false);
            if (IsRunning && (_config.Features & VdFeatures.VDF_CompleteEnabled) != 0)
            {
                await SendControlAsync(state, VdCommandCode.VDC_Complete).ConfigureAwait(false);
            }
        }

        state.Device.CloseDevice();
    }

    private async Task RestoreDeviceAsync(DeviceState state, Consumer consumer)
    {
        bool ended = false;
        bool refused = false;
        while (!ended && IsRunning)
        {
            // Keep the window full of reads, then consume the oldest in stream order.
            while (!refused && state.InFlight.Count < state.Window && _pool.TryTake(out var command))
            {
                refused = !await SendAsync(state, command, VdCommandCode.VDC_Read, _options.MaxTransferSize).ConfigureAwait(false);
            }

            if (state.InFlight.Count == 0)
            {
                if (refused)
                {
                    // Every read in flight was consumed, and none met the end or failed.
                    RequireCauseOfRefusal(state);
                    break;
                }

                // Other devices hold every buffer: wait for one to come back.
                if (await _pool.TakeAsync(state).ConfigureAwait(false) is not { } freed)
                {
                    break;
                }

                refused = !await SendAsync(state, freed, VdCommandCode.VDC_Read, _options.MaxTransferSize).ConfigureAwait(false);
                continue;
            }

            var oldest = await WaitOldestAsync(state).ConfigureAwait(false);
            if (oldest is null)
            {
                break;
            }

            uint code = oldest.CompletionCode;
            bool eof = code is Win32Error.ERROR_HANDLE_EOF or Win32Error.ERROR_NO_DATA_DETECTED;
            if (code == Win32Error.ERROR_SUCCESS || eof)
            {
                state.Bytes += oldest.BytesTransferred;
                bool more = consumer(state.Index, _set.GetBufferSpan(oldest.Buffer, (int)oldest.BytesTransferred));
                ended = eof || !more || oldest.BytesTransferred < oldest.Size;
            }
            else
            {
                Fail(state.Index, $"A read on device {state.Index} completed with operating system error {code}.", code);
            }

            _pool.Return(oldest);
        }

        // Reads still in flight after the end are answered and dropped: SQL Server stops reading when it has what it needs.
        await DrainAsync(state).ConfigureAwait(false);
        state.Device.CloseDevice();
    }

    /// <summary>
    /// After a device's commands in flight were consumed: a refusal for IO-ERROR that none of them explains (none failed,
    /// no read met the end) fails the device. The device state word is the client's to write, and a third party can write
    /// it too: believed alone, it would end a BACKUP or RESTORE early and call the short stream a success.
    /// </summary>
    private void RequireCauseOfRefusal(DeviceState state)
    {
        if (state.RefusedForIoError && IsRunning)
        {
            Fail(state.Index, $"Device {state.Index} refused a command for IO-ERROR, but none of its commands failed or met the end.", Win32Error.ERROR_IO_DEVICE);
        }
    }

    private bool IsRunning => Volatile.Read(ref _failure) is null && !_set.IsAborted;

    /// <summary>
    /// Sends a command; false when it was refused. A refusal for IO-ERROR is not the failure itself: an earlier command
    /// completed with an error (or, on a read, with end of data) and is still in flight, so the caller stops sending
    /// and consumes what is in flight, where the real answer is. Any other refusal fails the device.
    /// </summary>
    private async ValueTask<bool> SendAsync(DeviceState state, VdsCommand command, VdCommandCode code, uint size)
    {
        command.CommandCode = code;
        command.Size = size;
        command.CompletionContext = null;
        command.CompletionRoutine = state.OnCompleted;
        if (code is VdCommandCode.VDC_Read or VdCommandCode.VDC_Write && _hooks[state.Index] is { } hooks)
        {
            await hooks.BeforeDataCommandAsync(new StreamingDevice(this, state), command, _ended.Token).ConfigureAwait(false);
        }

        var result = state.Device.SendCommand(command);
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
            _pool.Return(command);
        }

        if (result != VdiResult.VD_E_IO_ERROR || state.InFlight.Count == 0)
        {
            Fail(state.Index, $"SendCommand on device {state.Index} failed with {result}.", command.CompletionCode);
        }
        else
        {
            state.RefusedForIoError = true;
        }

        return false;
    }

    /// <summary>Takes a buffer for the device: a free one while its window has room, else its oldest command's, once complete.</summary>
    private async ValueTask<VdsCommand?> TakeBufferAsync(DeviceState state)
    {
        if (state.InFlight.Count < state.Window && _pool.TryTake(out var free))
        {
            return free;
        }

        if (state.InFlight.Count == 0)
        {
            return await _pool.TakeAsync(state).ConfigureAwait(false);
        }

        var oldest = await WaitOldestAsync(state).ConfigureAwait(false);
        return oldest is not null && Succeeded(state.Index, oldest) ? oldest : null;
    }

    /// <summary>
    /// The device's oldest command once it completed; null when the client did not complete it within
    /// <see cref="StreamingOptions.CompletionTimeout"/> (the set is then aborted, and the command completes with 995).
    /// </summary>
    private async ValueTask<VdsCommand?> WaitOldestAsync(DeviceState state)
    {
        var oldest = state.InFlight.Peek();
        if (!await state.WhenCompleted(oldest, _options.CompletionTimeout).ConfigureAwait(false))
        {
            Fail(state.Index, $"The client did not complete a command on device {state.Index} within {_options.CompletionTimeout.TotalMilliseconds:F0} ms.", Win32Error.ERROR_OPERATION_ABORTED);
            _set.SignalAbort();
            return null;
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
            _pool.Return(command);
            return false;
        }

        // A write reports the bytes it stored; fewer than were sent, with success, would lose the rest silently (SQL
        // Server re-issues the rest only after ERROR_END_OF_MEDIA on removable media, which this server does not use).
        if (command.CommandCode == VdCommandCode.VDC_Write && command.BytesTransferred != command.Size)
        {
            Fail(device, $"A write on device {device} reported {command.BytesTransferred} of {command.Size} bytes stored.", Win32Error.ERROR_WRITE_FAULT);
            _pool.Return(command);
            return false;
        }

        return true;
    }

    /// <summary>Waits for every command of the device; an abort completes them all with 995, so this always ends.</summary>
    private async ValueTask DrainAsync(DeviceState state)
    {
        while (state.InFlight.Count > 0)
        {
            var command = await WaitOldestAsync(state).ConfigureAwait(false) ?? await WaitAfterAbortAsync(state).ConfigureAwait(false);

            // A failed write returns its buffer itself; every other command's buffer goes back here.
            if (command.CommandCode == VdCommandCode.VDC_Write && !Succeeded(state.Index, command))
            {
                continue;
            }

            if (command.Buffer != 0)
            {
                _pool.Return(command);
            }
        }
    }

    private static async ValueTask<VdsCommand> WaitAfterAbortAsync(DeviceState state)
    {
        var oldest = state.InFlight.Peek();
        await state.WhenCompleted(oldest, Timeout.InfiniteTimeSpan).ConfigureAwait(false);
        state.InFlight.Dequeue();
        oldest.CompletionContext = null;
        return oldest;
    }

    /// <summary>For <see cref="IStreamingHooks"/>: drains the device, then sends a command without data and waits for it.</summary>
    internal async ValueTask<uint> SendAloneAsync(DeviceState state, VdCommandCode code)
    {
        await DrainAsync(state).ConfigureAwait(false);
        return await SendControlAsync(state, code).ConfigureAwait(false);
    }

    /// <summary>Sends a command without data and waits for it; returns its completion code (995 when it did not get one).</summary>
    private async ValueTask<uint> SendControlAsync(DeviceState state, VdCommandCode code)
    {
        var command = new VdsCommand();
        if (!await SendAsync(state, command, code, 0).ConfigureAwait(false))
        {
            return command.CompletionCode;
        }

        var done = await WaitOldestAsync(state).ConfigureAwait(false);
        if (done is null)
        {
            return Win32Error.ERROR_OPERATION_ABORTED;
        }

        if (done.CompletionCode != Win32Error.ERROR_SUCCESS && code is VdCommandCode.VDC_Flush or VdCommandCode.VDC_Complete)
        {
            Fail(state.Index, $"A {code} on device {state.Index} completed with operating system error {done.CompletionCode}.", done.CompletionCode);
        }

        return done.CompletionCode;
    }

    private void Fail(int device, string message, uint code)
    {
        if (Interlocked.CompareExchange(ref _failure, message, null) is null)
        {
            _failureCode = code;
            _failedDevice = device;
        }

        // Devices waiting for a buffer another device holds must see the failure.
        _pool.Close();
    }

    /// <summary>Closes the set.</summary>
    public void Dispose()
    {
        _set.Dispose();
        _ended.Dispose();
    }
}
