using System.Diagnostics;

namespace OpenVdi;

/// <summary>
/// Plays the server's part of a streaming BACKUP or RESTORE over a virtual device set, the way SQL Server drives
/// VDI: open the set, configure it (BLOCKSIZE, MAXTRANSFERSIZE, BUFFERCOUNT buffers shared by all devices), run the
/// completion agent, and drive every device on its own thread with several commands in flight, in order.
/// BACKUP sends VDC_Write commands, then VDC_Flush and (when negotiated) VDC_Complete; RESTORE sends VDC_Read
/// commands until the client reports end of data. A non-success completion ends that device as SQL Server does:
/// outstanding commands are drained and the device is closed; the result names the failure.
/// </summary>
public sealed class StreamingServer : IDisposable
{
    /// <summary>Produces the next bytes of a device's stream into <c>buffer</c>; returns the count, 0 at the end.</summary>
    public delegate int Producer(int device, Span<byte> buffer);

    /// <summary>Takes the next bytes of a device's stream, in order.</summary>
    public delegate void Consumer(int device, ReadOnlySpan<byte> data);

    private readonly ServerVirtualDeviceSet _set = new();
    private readonly StreamingOptions _options;
    private readonly Stack<VdsCommand> _free = new();
    private IServerVirtualDevice[] _devices = [];
    private VdConfig _config;
    private string? _failure;
    private uint _failureCode;

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
    /// <exception cref="VdiException">A VDI call failed; the set is closed.</exception>
    public static StreamingServer Open(string? instance, string setName, VdFeatures direction, StreamingOptions options, IReadOnlyList<string> otherDeviceNames)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(otherDeviceNames);
        var server = new StreamingServer(options);
        try
        {
            server.Configure(instance, setName, direction, otherDeviceNames);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    private void Configure(string? instance, string setName, VdFeatures direction, IReadOnlyList<string> otherDeviceNames)
    {
        var deadline = Stopwatch.StartNew();
        VdiResult result;
        while ((result = _set.Open(instance, setName)) == VdiResult.VD_E_INVALID && deadline.Elapsed < _options.OpenTimeout)
        {
            // The client creates the set before it sends the statement; a server started first polls for it.
            Thread.Sleep(5);
        }

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
            _devices[i] = device!;
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
    public StreamingResult RunBackup(Producer producer) => Run((device, state) => BackupDevice(device, state, producer));

    /// <summary>Runs a RESTORE: every device's stream goes to <paramref name="consumer"/>, in order, on that device's thread.</summary>
    public StreamingResult RunRestore(Consumer consumer) => Run((device, state) => RestoreDevice(device, state, consumer));

    private StreamingResult Run(Action<int, DeviceState> body)
    {
        var agent = new Thread(() => _set.ExecuteCompletionAgent()) { IsBackground = true, Name = "VDI completion agent" };
        agent.Start();
        var states = new DeviceState[_devices.Length];
        var threads = new Thread[_devices.Length];
        for (int i = 0; i < threads.Length; i++)
        {
            int device = i;
            states[i] = new DeviceState(Math.Max(1, (int)(_options.EffectiveBufferCount(_devices.Length) / (uint)_devices.Length)));
            threads[i] = new Thread(() => body(device, states[device])) { IsBackground = true, Name = $"VDI device {device}" };
            threads[i].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        agent.Join();
        if (_set.IsAborted)
        {
            Fail($"The set aborted ({_set.AbortReasonText}).", Win32Error.ERROR_OPERATION_ABORTED);
        }

        return new StreamingResult { Failure = _failure, CompletionCode = _failureCode, BytesPerDevice = states.Select(s => s.Bytes).ToArray() };
    }

    private void BackupDevice(int device, DeviceState state, Producer producer)
    {
        uint block = _options.BlockSize;
        while (_failure is null && !_set.IsAborted)
        {
            var command = TakeBuffer(state);
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
        }

        Drain(state);
        if (_failure is null && !_set.IsAborted)
        {
            SendControl(device, state, VdCommandCode.VDC_Flush);
            if ((_config.Features & VdFeatures.VDF_CompleteEnabled) != 0)
            {
                SendControl(device, state, VdCommandCode.VDC_Complete);
            }
        }

        _devices[device].CloseDevice();
    }

    private void RestoreDevice(int device, DeviceState state, Consumer consumer)
    {
        bool ended = false;
        while (!ended && _failure is null && !_set.IsAborted)
        {
            // Keep the window full of reads, then consume the oldest in stream order.
            while (state.InFlight.Count < state.Window && TakeFreeBuffer() is { } command)
            {
                if (!Send(device, state, command, VdCommandCode.VDC_Read, _options.MaxTransferSize))
                {
                    break;
                }
            }

            if (state.InFlight.Count == 0)
            {
                // Other devices hold every buffer: wait for one to come back.
                WaitForFreeBuffer();
                continue;
            }

            var oldest = WaitOldest(state);
            uint code = oldest.CompletionCode;
            bool eof = code is Win32Error.ERROR_HANDLE_EOF or Win32Error.ERROR_NO_DATA_DETECTED;
            if (code == Win32Error.ERROR_SUCCESS || eof)
            {
                consumer(device, _set.GetBufferSpan(oldest.Buffer, (int)oldest.BytesTransferred));
                state.Bytes += oldest.BytesTransferred;
                ended = eof || oldest.BytesTransferred < oldest.Size;
            }
            else
            {
                Fail($"Device {device}: a read completed with {code}.", code);
            }

            ReturnBuffer(oldest);
        }

        Drain(state);
        _devices[device].CloseDevice();
    }

    private bool Send(int device, DeviceState state, VdsCommand command, VdCommandCode code, uint size)
    {
        command.CommandCode = code;
        command.Size = size;
        command.CompletionRoutine = state.OnCompleted;
        state.InFlight.Enqueue(command);
        var result = _devices[device].SendCommand(command);
        if (result == VdiResult.NOERROR)
        {
            if (code == VdCommandCode.VDC_Write)
            {
                state.Bytes += size;
            }

            return true;
        }

        // A refused send already ran its routine (with the reason's code); it is done.
        Fail($"Device {device}: SendCommand failed with {result}.", command.CompletionCode);
        return false;
    }

    /// <summary>Takes a buffer for the device: a free one while its window has room, else its oldest command's, once complete.</summary>
    private VdsCommand? TakeBuffer(DeviceState state)
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

        var oldest = WaitOldest(state);
        return Check(oldest) ? oldest : null;
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
            while (_free.Count == 0 && _failure is null && !_set.IsAborted)
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

    private static VdsCommand WaitOldest(DeviceState state)
    {
        var oldest = state.InFlight.Dequeue();

        // Each completion releases the semaphore once, after setting its marker; the semaphore orders the two.
        while (oldest.CompletionContext is null)
        {
            state.Completed.Wait();
        }

        oldest.CompletionContext = null;
        return oldest;
    }

    private bool Check(VdsCommand command)
    {
        if (command.CompletionCode != Win32Error.ERROR_SUCCESS)
        {
            Fail($"{command.CommandCode} completed with {command.CompletionCode}.", command.CompletionCode);
            ReturnBuffer(command);
            return false;
        }

        return true;
    }

    private void Drain(DeviceState state)
    {
        while (state.InFlight.Count > 0)
        {
            var command = WaitOldest(state);
            if (command.CommandCode == VdCommandCode.VDC_Write)
            {
                Check(command);
            }

            if (command.Buffer != 0)
            {
                ReturnBuffer(command);
            }
        }
    }

    private void SendControl(int device, DeviceState state, VdCommandCode code)
    {
        var command = new VdsCommand();
        if (Send(device, state, command, code, 0))
        {
            var done = WaitOldest(state);
            if (done.CompletionCode != Win32Error.ERROR_SUCCESS)
            {
                Fail($"Device {device}: {code} completed with {done.CompletionCode}.", done.CompletionCode);
            }
        }
    }

    private void Fail(string message, uint code)
    {
        if (Interlocked.CompareExchange(ref _failure, message, null) is null)
        {
            _failureCode = code;
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

        public SemaphoreSlim Completed { get; } = new(0);

        public Action<VdsCommand> OnCompleted { get; }

        public long Bytes { get; set; }
    }
}
