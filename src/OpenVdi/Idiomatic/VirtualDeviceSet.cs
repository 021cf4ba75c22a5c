using System.Diagnostics;
using OpenVdi.Transport;

namespace OpenVdi;

/// <summary>
/// A virtual device set, client side, the .NET way: created or attached by a static factory, configured with an
/// awaitable <see cref="GetConfigurationAsync(CancellationToken)"/>, its devices opened as <see cref="VirtualDevice"/>
/// objects, failures thrown as <see cref="VdiException"/>, and released by <see cref="Dispose"/>. Wraps a faithful
/// <see cref="IClientVirtualDeviceSet2"/> of any implementation (OpenVdi's transport by default, or Microsoft's library
/// through a binding), available as <see cref="Faithful"/>.
/// </summary>
/// <remarks>
/// The sequence is the documented one: create the set, send the BACKUP or RESTORE statement (the server opens the
/// set by name), get the configuration, open the devices, run each device until its end, dispose. Members may be
/// called from any thread.
/// </remarks>
public sealed class VirtualDeviceSet : IDisposable, IAsyncDisposable
{
    private readonly IClientVirtualDeviceSet2 _set;
    private readonly ClientVirtualDeviceSet? _ours;
    private readonly bool _primary;
    private readonly Lock _lock = new();
    private readonly List<VirtualDevice> _devices = [];
    private VdConfig _configuration;
    private int _configured;
    private int _disposed;
    private int _sawAbort;

    private VirtualDeviceSet(IClientVirtualDeviceSet2 set, string name, bool primary)
    {
        _set = set;
        _ours = set as ClientVirtualDeviceSet;
        _primary = primary;
        Name = name;
    }

    /// <summary>The set's name (also the name of its first device).</summary>
    public string Name { get; }

    /// <summary>Whether this object created the set (primary) rather than attached to it (secondary).</summary>
    public bool IsPrimary => _ours?.IsPrimary ?? _primary;

    /// <summary>Whether the set has aborted (either side's SignalAbort, a server timeout, a dead peer, a corrupt segment).</summary>
    public bool IsAborted => _ours?.IsAborted ?? Volatile.Read(ref _sawAbort) != 0;

    /// <summary>The configuration the server settled, once <see cref="GetConfigurationAsync(CancellationToken)"/> (or a secondary's attach) obtained it; null before.</summary>
    public VdConfig? Configuration => Volatile.Read(ref _configured) != 0 ? _configuration : null;

    /// <summary>The faithful set underneath, for calls this layer does not cover. Disposing this object closes it.</summary>
    public IClientVirtualDeviceSet2 Faithful => _set;

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>
    /// Creates the set <paramref name="name"/> as its primary client, with the client inputs of
    /// <paramref name="config"/> (device count, features, prefix zone, alignment, server timeout…). Call it before
    /// the BACKUP or RESTORE statement is sent.
    /// </summary>
    /// <param name="name">The set's name, unique on the machine (a GUID is a good choice); also the first device's name.</param>
    /// <param name="config">The client inputs; the server's output fields are ignored.</param>
    /// <param name="instance">The SQL Server instance; null or empty for the default instance.</param>
    /// <param name="options">Options beyond the documented configuration (segment permissions, device naming wait).</param>
    /// <returns>The set, in the Configurable state.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="VdiException">
    /// VD_E_NOTSUPPORTED for a device count outside 1..64, an unsupported feature combination, a bad alignment or
    /// prefix zone; VD_E_INVALID for an invalid set name; VD_E_INSTANCE_NAME for an invalid instance name; VD_E_BUSY
    /// when a live set of that name exists; VD_E_SECURITY or VD_E_MEMORY when the shared memory cannot be made.
    /// </exception>
    public static VirtualDeviceSet Create(string name, VdConfig config, string? instance = null, VirtualDeviceSetOptions? options = null) =>
        Create(new ClientVirtualDeviceSet(options ?? VirtualDeviceSetOptions.Default), name, config, instance);

    /// <summary>
    /// Creates the set <paramref name="name"/> as its primary client through <paramref name="set"/>, a faithful set
    /// object of any implementation that holds no set yet (OpenVdi's, or Microsoft's library through a binding). The
    /// returned object owns <paramref name="set"/>: disposing it closes the set and disposes the object.
    /// </summary>
    /// <param name="set">The faithful object to create the set with.</param>
    /// <param name="name">The set's name, unique on the machine; also the first device's name.</param>
    /// <param name="config">The client inputs; the server's output fields are ignored.</param>
    /// <param name="instance">The SQL Server instance; null or empty for the default instance.</param>
    /// <returns>The set, in the Configurable state.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="set"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="VdiException">What CreateEx answered: VD_E_INVALID, VD_E_NOTSUPPORTED, VD_E_INSTANCE_NAME, VD_E_BUSY, VD_E_SECURITY, VD_E_MEMORY, VD_E_PROTOCOL.</exception>
    public static VirtualDeviceSet Create(IClientVirtualDeviceSet2 set, string name, VdConfig config, string? instance = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(name);
        var result = set.CreateEx(instance, name, config);
        if (result != VdiResult.NOERROR)
        {
            (set as IDisposable)?.Dispose();
            ThrowHelper.ThrowVdi(result, $"CreateEx of set '{name}'");
        }

        return new VirtualDeviceSet(set, name, primary: true);
    }

    /// <summary>
    /// Attaches, in a secondary process, to the set <paramref name="name"/> that a primary created and whose
    /// configuration the primary already obtained. The secondary may then open the devices not opened elsewhere.
    /// </summary>
    /// <param name="name">The set's name, exactly as the primary gave it.</param>
    /// <param name="instance">The SQL Server instance; null or empty for the default instance.</param>
    /// <returns>The attached set, with its <see cref="Configuration"/> known.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="VdiException">
    /// VD_E_PROTOCOL when the set does not exist or is not configured yet; VD_E_ABORT when it aborted;
    /// VD_E_INVALID for an invalid name; VD_E_INSTANCE_NAME for an invalid instance name; VD_E_UNEXPECTED for a
    /// corrupt segment.
    /// </exception>
    public static VirtualDeviceSet OpenSecondary(string name, string? instance = null) =>
        OpenSecondary(new ClientVirtualDeviceSet(), name, instance);

    /// <summary>
    /// Attaches to the set <paramref name="name"/> as a secondary client through <paramref name="set"/>, a faithful
    /// set object of any implementation that holds no set yet. The returned object owns <paramref name="set"/>.
    /// </summary>
    /// <param name="set">The faithful object to attach with.</param>
    /// <param name="name">The set's name.</param>
    /// <param name="instance">The SQL Server instance; null or empty for the default instance.</param>
    /// <returns>The set; its configuration is known at once.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="set"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="VdiException">What OpenInSecondaryEx answered: VD_E_PROTOCOL (no such set, or not configured yet), VD_E_ABORT, VD_E_INSTANCE_NAME, VD_E_INVALID, VD_E_SECURITY, VD_E_UNEXPECTED.</exception>
    public static VirtualDeviceSet OpenSecondary(IClientVirtualDeviceSet2 set, string name, string? instance = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(name);
        var result = set.OpenInSecondaryEx(instance, name);
        if (result != VdiResult.NOERROR)
        {
            (set as IDisposable)?.Dispose();
            ThrowHelper.ThrowVdi(result, $"OpenInSecondaryEx of set '{name}'");
        }

        var secondary = new VirtualDeviceSet(set, name, primary: false);
        if (set.GetConfiguration(VdiTimeout.Poll, out var config) == VdiResult.NOERROR)
        {
            secondary.Remember(config);
        }

        return secondary;
    }

    /// <summary>
    /// Adopts a faithful set that has already created (CreateEx) or attached to (OpenInSecondaryEx) a set, for code
    /// that started on the faithful layer. The wrapper owns it from now on: disposing the wrapper closes it. Devices
    /// already opened through the faithful set are not known to the wrapper.
    /// </summary>
    /// <param name="set">The faithful set, holding a set.</param>
    /// <returns>The wrapper.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="set"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="set"/> holds no set.</exception>
    public static VirtualDeviceSet FromFaithful(ClientVirtualDeviceSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        string name = set.Name ?? throw new ArgumentException("The faithful set holds no set: call CreateEx or OpenInSecondaryEx first.", nameof(set));
        return FromFaithful(set, name, set.IsPrimary);
    }

    /// <summary>
    /// Wraps a faithful set object of any implementation that already holds the set <paramref name="name"/> (after its
    /// own CreateEx or OpenInSecondaryEx). The returned object owns <paramref name="set"/>.
    /// </summary>
    /// <param name="set">The faithful object, holding a set.</param>
    /// <param name="name">The set's name.</param>
    /// <param name="primary">Whether <paramref name="set"/> created the set (rather than attached to it).</param>
    /// <returns>The wrapper.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="set"/> or <paramref name="name"/> is null.</exception>
    public static VirtualDeviceSet FromFaithful(IClientVirtualDeviceSet2 set, string name, bool primary)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(name);
        var wrapper = new VirtualDeviceSet(set, name, primary);
        if (set.GetConfiguration(VdiTimeout.Poll, out var config) == VdiResult.NOERROR)
        {
            wrapper.Remember(config);
        }

        return wrapper;
    }

    /// <summary>
    /// Waits until the server has configured the set and returns the final configuration (server outputs filled in,
    /// VDF_WriteMedia or VDF_ReadMedia added). Completes synchronously once the set is configured.
    /// </summary>
    /// <param name="cancellationToken">Ends the wait with <see cref="OperationCanceledException"/>: at once over OpenVdi's transport, within about 50 ms over another implementation.</param>
    /// <returns>The negotiated configuration.</returns>
    /// <exception cref="VdiException">VD_E_ABORT when the set aborted (for example, the statement failed and the server gave up); VD_E_PROTOCOL when the set is not open; VD_E_UNEXPECTED for a corrupt segment.</exception>
    /// <exception cref="ObjectDisposedException">The set was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <remarks>
    /// Over OpenVdi's transport the wait holds no thread: the set's doorbell waiter completes it. Over another
    /// implementation a dedicated thread (not a pool thread) waits in slices of at most 50 ms.
    /// </remarks>
    public Task<VdConfig> GetConfigurationAsync(CancellationToken cancellationToken = default) =>
        GetConfigurationCoreAsync(VdiTimeout.Infinite, cancellationToken);

    /// <summary>As <see cref="GetConfigurationAsync(CancellationToken)"/>, giving up after <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait for the server; <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</param>
    /// <param name="cancellationToken">Ends the wait with <see cref="OperationCanceledException"/>: at once over OpenVdi's transport, within about 50 ms over another implementation.</param>
    /// <returns>The negotiated configuration.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than infinite) or too large.</exception>
    /// <exception cref="VdiException">VD_E_TIMEOUT when the server has not configured the set in time (see <see cref="VdiException.IsTimeout"/>); otherwise as the other overload.</exception>
    /// <exception cref="ObjectDisposedException">The set was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<VdConfig> GetConfigurationAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        GetConfigurationCoreAsync(WaitTimeout.ToMilliseconds(timeout, nameof(timeout)), cancellationToken);

    /// <summary>Waits on this thread, at most <paramref name="timeout"/>, until the server has configured the set.</summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> polls.</param>
    /// <param name="config">The negotiated configuration, when the call returns true.</param>
    /// <returns>True when configured; false when the timeout elapsed first (VD_E_TIMEOUT).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than infinite) or too large.</exception>
    /// <exception cref="VdiException">VD_E_ABORT, VD_E_PROTOCOL or VD_E_UNEXPECTED, as <see cref="GetConfigurationAsync(CancellationToken)"/>.</exception>
    /// <exception cref="ObjectDisposedException">The set was disposed.</exception>
    public bool TryGetConfiguration(TimeSpan timeout, out VdConfig config)
    {
        uint timeoutMs = WaitTimeout.ToMilliseconds(timeout, nameof(timeout));
        ThrowIfDisposed();
        var result = _set.GetConfiguration(timeoutMs, out config);
        if (result == VdiResult.NOERROR)
        {
            Remember(config);
            return true;
        }

        if (result == VdiResult.VD_E_TIMEOUT)
        {
            return false;
        }

        throw CreateException(result, "GetConfiguration");
    }

    /// <summary>
    /// Opens the device named <paramref name="name"/>: the first device has the set's name, the others the names of
    /// the statement's later VIRTUAL_DEVICE clauses. Waits (up to <see cref="VirtualDeviceSetOptions.DeviceNamingTimeout"/>)
    /// for the server to name a device it has not named yet.
    /// </summary>
    /// <param name="name">The device's name.</param>
    /// <returns>The device, ready for its command loop.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="VdiException">
    /// VD_E_OPEN when every device is already open; VD_E_PROTOCOL before the configuration was obtained, after the
    /// set ended, or when this device is already open; VD_E_INVALID for a name that is not a device of the set;
    /// VD_E_ABORT; VD_E_UNEXPECTED for a corrupt segment.
    /// </exception>
    /// <exception cref="ObjectDisposedException">The set was disposed.</exception>
    public VirtualDevice OpenDevice(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ThrowIfDisposed();
        var result = _set.OpenDevice(name, out var opened);
        if (result != VdiResult.NOERROR)
        {
            throw CreateException(result, $"OpenDevice '{name}'");
        }

        VirtualDevice device;
        lock (_lock)
        {
            device = new VirtualDevice(this, opened!, name, (opened as ClientVirtualDevice)?.Index ?? _devices.Count);
            _devices.Add(device);
        }

        return device;
    }

    /// <summary>
    /// Aborts the set (SignalAbort): every wait of either side ends with VD_E_ABORT, and the server sees every
    /// outstanding command complete with ERROR_OPERATION_ABORTED. Safe to call from any thread, more than once.
    /// Dispose the set afterwards, once buffer use has stopped.
    /// </summary>
    /// <exception cref="VdiException">VD_E_UNEXPECTED for a corrupt segment.</exception>
    /// <exception cref="ObjectDisposedException">The set was disposed.</exception>
    public void Abort()
    {
        ThrowIfDisposed();
        var result = _set.SignalAbort();
        if (result != VdiResult.NOERROR)
        {
            throw CreateException(result, "SignalAbort");
        }
    }

    /// <summary>
    /// A process-independent handle to the buffer of an outstanding VDC_Read or VDC_Write, for another process
    /// attached to this set to map with <see cref="MapBufferHandle"/>. This process stays responsible for completing
    /// the command once the other is done with the data.
    /// </summary>
    /// <param name="command">An outstanding data command of this set.</param>
    /// <returns>The 32-bit handle.</returns>
    /// <exception cref="InvalidOperationException">The command is not outstanding.</exception>
    /// <exception cref="VdiException">VD_E_INVALID for a command without a buffer or not of this set; VD_E_PROTOCOL when the set is not active.</exception>
    /// <exception cref="ObjectDisposedException">The set was disposed.</exception>
    public uint GetBufferHandle(in DeviceCommand command) => GetBufferHandle(command.Faithful);

    /// <summary>As <see cref="GetBufferHandle(in DeviceCommand)"/>, for a faithful command object.</summary>
    /// <param name="command">An outstanding data command of this set.</param>
    /// <returns>The 32-bit handle.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="command"/> is null.</exception>
    /// <exception cref="VdiException">VD_E_INVALID for a command without a buffer, not outstanding, or not of this set; VD_E_PROTOCOL when the set is not active.</exception>
    /// <exception cref="ObjectDisposedException">The set was disposed.</exception>
    public uint GetBufferHandle(VdcCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        ThrowIfDisposed();
        var result = _set.GetBufferHandle(command.Buffer, out uint handle);
        if (result != VdiResult.NOERROR)
        {
            throw CreateException(result, "GetBufferHandle");
        }

        return handle;
    }

    /// <summary>
    /// The first <paramref name="length"/> bytes of the buffer a handle from <see cref="GetBufferHandle(in DeviceCommand)"/>
    /// names (taken in any process of this set), in place in this process's mapping. The span is valid until the
    /// command is completed by the process that took the handle.
    /// </summary>
    /// <param name="handle">A live handle of this set.</param>
    /// <param name="length">How many bytes to view: the command's size, at most the buffer's capacity.</param>
    /// <returns>The bytes, without a copy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative or exceeds the buffer.</exception>
    /// <exception cref="VdiException">VD_E_INVALID for anything but a live handle of this set (another set's, or one whose command completed); VD_E_PROTOCOL when the set is not active.</exception>
    /// <exception cref="ObjectDisposedException">The set was disposed.</exception>
    public Span<byte> MapBufferHandle(uint handle, int length)
    {
        if (_ours is null)
        {
            return ForeignBuffer.Span(MapForeign(handle, length), length);
        }

        var buffers = MapBuffer(handle, length, out int index);
        return buffers.Data(index, length);
    }

    /// <summary>
    /// As <see cref="MapBufferHandle"/>, as <see cref="Memory{T}"/> for asynchronous code. Allocates one small memory
    /// manager per call.
    /// </summary>
    /// <param name="handle">A live handle of this set.</param>
    /// <param name="length">How many bytes to view, at most the buffer's capacity.</param>
    /// <returns>The bytes, without a copy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative or exceeds the buffer.</exception>
    /// <exception cref="VdiException">As <see cref="MapBufferHandle"/>.</exception>
    /// <exception cref="ObjectDisposedException">The set was disposed.</exception>
    public Memory<byte> MapBufferHandleAsMemory(uint handle, int length)
    {
        if (_ours is null)
        {
            return ForeignBuffer.Memory(MapForeign(handle, length), length);
        }

        var buffers = MapBuffer(handle, length, out int index);
#pragma warning disable CA2000 // The manager over shared memory owns nothing; Close unmaps the area.
        var memory = new SharedBufferMemory();
#pragma warning restore CA2000
        memory.Reset(buffers, index, length);
        return memory.Memory;
    }

    /// <summary>
    /// Releases the set. Call it after every device ended (or after an abort, once buffer use stopped): with
    /// devices still open the set is aborted, released all the same, and this throws.
    /// </summary>
    /// <exception cref="VdiException">VD_E_OPEN when devices had not ended: the set was aborted and released.</exception>
    public void Close()
    {
        var result = CloseCore();
        if (result is not (VdiResult.NOERROR or VdiResult.VD_E_PROTOCOL))
        {
            ThrowHelper.ThrowVdi(result, $"Close of set '{Name}'");
        }
    }

    /// <summary>
    /// Releases the set, as <see cref="Close"/> but without throwing: a set whose devices had not ended is aborted
    /// (the server sees ERROR_OPERATION_ABORTED). Every <see cref="VirtualDevice"/>, command and buffer view of the
    /// set is invalid afterwards.
    /// </summary>
    public void Dispose() => CloseCore();

    /// <summary>As <see cref="Dispose"/>; the release does not wait on the server, so this completes synchronously.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        CloseCore();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override string ToString() => $"VirtualDeviceSet '{Name}'{(IsAborted ? " (aborted)" : string.Empty)}";

    private Task<VdConfig> GetConfigurationCoreAsync(uint timeoutMs, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<VdConfig>(cancellationToken);
        }

        if (IsDisposed)
        {
            return Task.FromException<VdConfig>(new ObjectDisposedException(GetType().FullName));
        }

        var result = _set.GetConfiguration(VdiTimeout.Poll, out var config);
        if (result == VdiResult.NOERROR)
        {
            Remember(config);
            return Task.FromResult(config);
        }

        if (result != VdiResult.VD_E_TIMEOUT || timeoutMs == VdiTimeout.Poll)
        {
            return Task.FromException<VdConfig>(CreateException(result, "GetConfiguration"));
        }

        if (_ours is not null)
        {
            return AwaitConfigurationAsync(_ours, timeoutMs, cancellationToken);
        }

        // Another implementation, whose wait no token interrupts: a thread waits in slices.
        return Task.Factory.StartNew(
            () => WaitForConfiguration(timeoutMs, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    /// <summary>Over OpenVdi's transport: the doorbell's waiter completes the wait; the timeout is a cancellation.</summary>
    private async Task<VdConfig> AwaitConfigurationAsync(ClientVirtualDeviceSet set, uint timeoutMs, CancellationToken cancellationToken)
    {
        using var timeout = timeoutMs == VdiTimeout.Infinite ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout?.CancelAfter(TimeSpan.FromMilliseconds(timeoutMs));
        ConfigurationFetch fetch;
        try
        {
            fetch = await set.GetConfigurationAsync(timeout?.Token ?? cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout is not null && !cancellationToken.IsCancellationRequested)
        {
            throw ThrowHelper.CreateVdi(VdiResult.VD_E_TIMEOUT, "GetConfiguration");
        }

        if (fetch.Result != VdiResult.NOERROR)
        {
            throw CreateException(fetch.Result, "GetConfiguration");
        }

        Remember(fetch.Config);
        return fetch.Config;
    }

    private VdConfig WaitForConfiguration(uint timeoutMs, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            uint slice = WaitTimeout.NextSlice(timeoutMs, start);
            var result = _set.GetConfiguration(slice, out var config);
            switch (result)
            {
                case VdiResult.NOERROR:
                    Remember(config);
                    return config;
                case VdiResult.VD_E_TIMEOUT when slice == 0 || WaitTimeout.NextSlice(timeoutMs, start) == 0:
                    throw ThrowHelper.CreateVdi(result, "GetConfiguration");
                case VdiResult.VD_E_TIMEOUT:
                    continue;
                default:
                    throw CreateException(result, "GetConfiguration");
            }
        }
    }

    private void Remember(in VdConfig config)
    {
        if (Volatile.Read(ref _configured) == 0)
        {
            _configuration = config;

            // Release: the configuration is visible to a reader that sees the flag.
            Volatile.Write(ref _configured, 1);
        }
    }

    /// <summary>Through another implementation: its address, the length checked against the largest buffer the configuration allows.</summary>
    private nint MapForeign(uint handle, int length)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (Configuration is { } config && (uint)length > config.MaxTransferSize)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(length), $"A buffer of this set holds at most {config.MaxTransferSize} bytes.");
        }

        var result = _set.MapBufferHandle(handle, out nint address);
        if (result != VdiResult.NOERROR)
        {
            throw CreateException(result, "MapBufferHandle");
        }

        return address;
    }

    private BufferAreaMap MapBuffer(uint handle, int length, out int index)
    {
        ThrowIfDisposed();
        var result = _set.MapBufferHandle(handle, out nint address);
        if (result != VdiResult.NOERROR)
        {
            throw CreateException(result, "MapBufferHandle");
        }

        var buffers = _ours!.Buffers;
        index = buffers?.IndexOfDataStart(address) ?? -1;
        if (buffers is null || index < 0)
        {
            // Closed between the two calls.
            ThrowHelper.ThrowObjectDisposed(this);
        }

        if ((uint)length > (uint)buffers.Capacity(index))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(length), $"The buffer holds {buffers.Capacity(index)} bytes.");
        }

        return buffers;
    }

    private VdiResult CloseCore()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return VdiResult.NOERROR;
        }

        // Close wakes and drains every call inside the faithful set, waits included; then idle waiter threads end.
        var result = _set.Close();
        (_set as IDisposable)?.Dispose();
        VirtualDevice[] devices;
        lock (_lock)
        {
            devices = [.. _devices];
        }

        foreach (var device in devices)
        {
            device.Shutdown();
        }

        return result;
    }

    /// <summary>The exception for <paramref name="result"/>: a closed faithful set after Dispose is reported as disposal.</summary>
    private Exception CreateException(VdiResult result, string operation)
    {
        if (result == VdiResult.VD_E_ABORT)
        {
            Volatile.Write(ref _sawAbort, 1);
        }

        return IsDisposed && result is VdiResult.VD_E_PROTOCOL or VdiResult.VD_E_ABORT
            ? new ObjectDisposedException(GetType().FullName)
            : ThrowHelper.CreateVdi(result, operation);
    }

    private void ThrowIfDisposed()
    {
        if (IsDisposed)
        {
            ThrowHelper.ThrowObjectDisposed(this);
        }
    }
}
