using System.Runtime.CompilerServices;

namespace OpenVdi;

/// <summary>
/// One device of a <see cref="VirtualDeviceSet"/>, client side, the .NET way: commands as <see cref="DeviceCommand"/>
/// values fetched with <see cref="GetCommandAsync"/> or <see cref="TryGetCommand"/>, the end of the device as a null
/// command (or a false return), and failures as exceptions. Wraps a faithful <see cref="IClientVirtualDevice"/> of any
/// implementation (OpenVdi's transport, or Microsoft's library through a binding).
/// </summary>
/// <remarks>
/// <para>
/// A device is driven by one caller at a time: a fetch while another fetch on the same device has not returned
/// (for <see cref="GetCommandAsync"/>: until its result was taken by <c>await</c>) throws
/// <see cref="InvalidOperationException"/>. Commands may be completed from any thread, and several may be
/// outstanding at once.
/// </para>
/// <para>
/// <b>The cost of waiting asynchronously.</b> <see cref="GetCommandAsync"/> first looks at the ring (no wait, no
/// allocation); a command already queued is returned synchronously. Otherwise, over OpenVdi's transport, the device's
/// wait is armed and the set's one doorbell waiter completes it when the server publishes: no thread per device, no
/// polling, no allocation, and a cancelled token ends the wait at once. The continuation runs on the doorbell's
/// thread, which so carries the loops of all the process's devices; do not block it for long. Over another
/// implementation (whose waits no token can interrupt), the wait runs on a thread of this device's own, in slices of
/// 50 ms between which the token is checked.
/// </para>
/// </remarks>
public sealed partial class VirtualDevice
{
    private readonly VirtualDeviceSet _set;
    private readonly IClientVirtualDevice _device;
    private readonly ClientVirtualDevice? _ours;
    private readonly CommandWaiter? _waiter;
    private int _busy;
    private int _ended;

    internal VirtualDevice(VirtualDeviceSet set, IClientVirtualDevice device, string name, int index)
    {
        _set = set;
        _device = device;
        _ours = device as ClientVirtualDevice;
        Name = name;
        Index = index;
        _waiter = _ours is null ? new CommandWaiter(this) : null;
    }

    /// <summary>The device's name (the set's name for the first device).</summary>
    public string Name { get; }

    /// <summary>The device's position in the set (0 is the device named after the set).</summary>
    public int Index { get; }

    /// <summary>The set the device belongs to.</summary>
    public VirtualDeviceSet Set => _set;

    /// <summary>The faithful device underneath, for calls this layer does not cover.</summary>
    public IClientVirtualDevice Faithful => _device;

    /// <summary>Whether the device has ended: the server closed it and every command was fetched.</summary>
    public bool HasEnded => _ours?.HasEnded ?? Volatile.Read(ref _ended) != 0;

    /// <summary>
    /// Fetches the next command, waiting for one if none is queued. Completes synchronously, without allocating,
    /// when a command is already queued or the device has already ended.
    /// </summary>
    /// <param name="cancellationToken">Ends the wait with <see cref="OperationCanceledException"/> (at once over OpenVdi's transport, within about 50 ms over another implementation); the device stays usable and no command is lost (a command that arrived just as the token was cancelled is returned).</param>
    /// <returns>The command; or null once the server closed the device and every command was fetched (VD_E_CLOSE, the device's normal end).</returns>
    /// <exception cref="VdiException">VD_E_ABORT when the set aborted; VD_E_PROTOCOL when the set is not active here; VD_E_UNEXPECTED when the shared segment is corrupt (the set aborts).</exception>
    /// <exception cref="ObjectDisposedException">The set was disposed.</exception>
    /// <exception cref="InvalidOperationException">Another fetch on this device has not returned yet.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<DeviceCommand?> GetCommandAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<DeviceCommand?>(cancellationToken);
        }

        if (!TryEnter())
        {
            return ValueTask.FromException<DeviceCommand?>(CreateBusyException());
        }

        if (_ours is null)
        {
            return GetCommandThroughWaiter(cancellationToken);
        }

        ValueTask<CommandFetch> fetching;
        try
        {
            fetching = _ours.GetCommandAsync(cancellationToken);
        }
        catch
        {
            Exit();
            throw;
        }

        if (fetching.IsCompletedSuccessfully)
        {
            Exit();
            return ToCommand(fetching.Result);
        }

        return AwaitCommandAsync(fetching);
    }

    /// <summary>The pending path: one pooled state machine box (no allocation per wait once warm).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<DeviceCommand?> AwaitCommandAsync(ValueTask<CommandFetch> fetching)
    {
        try
        {
            var fetch = await fetching.ConfigureAwait(false);
            return Interpret(fetch);
        }
        finally
        {
            Exit();
        }
    }

    private ValueTask<DeviceCommand?> ToCommand(CommandFetch fetch)
    {
        try
        {
            return new ValueTask<DeviceCommand?>(Interpret(fetch));
        }
        catch (Exception e) when (e is VdiException or ObjectDisposedException)
        {
            return ValueTask.FromException<DeviceCommand?>(e);
        }
    }

    private DeviceCommand? Interpret(CommandFetch fetch) => fetch.Result switch
    {
        VdiResult.NOERROR => new DeviceCommand(this, fetch.Command!),
        VdiResult.VD_E_CLOSE => null,
        _ => throw CreateFetchException(fetch.Result),
    };

    /// <summary>Over another implementation: the faithful wait, on this device's own waiter thread.</summary>
    private ValueTask<DeviceCommand?> GetCommandThroughWaiter(CancellationToken cancellationToken)
    {
        bool handedOff = false;
        try
        {
            var result = _device.GetCommand(VdiTimeout.Poll, out var command);
            switch (result)
            {
                case VdiResult.NOERROR:
                    return new ValueTask<DeviceCommand?>(new DeviceCommand(this, command!));
                case VdiResult.VD_E_CLOSE:
                    Volatile.Write(ref _ended, 1);
                    return new ValueTask<DeviceCommand?>(default(DeviceCommand?));
                case VdiResult.VD_E_TIMEOUT:
                    // Nothing queued: the waiter owns the device until the caller takes the result.
                    var pending = _waiter!.Start(cancellationToken);
                    handedOff = true;
                    return pending;
                default:
                    return ValueTask.FromException<DeviceCommand?>(CreateFetchException(result));
            }
        }
        finally
        {
            if (!handedOff)
            {
                Exit();
            }
        }
    }

    /// <summary>Fetches the next command, waiting at most <paramref name="timeout"/> on this thread.</summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> polls, <see cref="Timeout.InfiniteTimeSpan"/> waits until a command or the end.</param>
    /// <param name="command">The command, when the call returns true.</param>
    /// <returns>True with a command; false when the timeout elapsed (VD_E_TIMEOUT) or the device ended (VD_E_CLOSE, then <see cref="HasEnded"/> is true).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than infinite) or too large.</exception>
    /// <exception cref="VdiException">VD_E_ABORT, VD_E_PROTOCOL or VD_E_UNEXPECTED, as <see cref="GetCommandAsync"/>.</exception>
    /// <exception cref="ObjectDisposedException">The set was disposed.</exception>
    /// <exception cref="InvalidOperationException">Another fetch on this device has not returned yet.</exception>
    public bool TryGetCommand(TimeSpan timeout, out DeviceCommand command) =>
        TryGetCommandCore(WaitTimeout.ToMilliseconds(timeout, nameof(timeout)), out command);

    /// <summary>
    /// Every command of the device, until its end: <c>await foreach (var command in device.ReadCommandsAsync(ct))</c>.
    /// Each command must still be completed. One enumerator is allocated per enumeration, nothing per command.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for the next command, as <see cref="GetCommandAsync"/>.</param>
    /// <returns>The commands in the order the server sent them; the sequence ends at VD_E_CLOSE.</returns>
    /// <exception cref="VdiException">As <see cref="GetCommandAsync"/>, from the enumeration.</exception>
    public async IAsyncEnumerable<DeviceCommand> ReadCommandsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await GetCommandAsync(cancellationToken).ConfigureAwait(false) is { } command)
        {
            yield return command;
        }
    }

    /// <summary>
    /// The synchronous fetch: <see cref="VdiTimeout.Infinite"/> waits until a command or the end, so false then
    /// means the device ended.
    /// </summary>
    internal bool TryGetCommandCore(uint timeoutMs, out DeviceCommand command)
    {
        if (!TryEnter())
        {
            throw CreateBusyException();
        }

        try
        {
            var result = _device.GetCommand(timeoutMs, out var fetched);
            switch (result)
            {
                case VdiResult.NOERROR:
                    command = new DeviceCommand(this, fetched!);
                    return true;
                case VdiResult.VD_E_CLOSE:
                    Volatile.Write(ref _ended, 1);
                    command = default;
                    return false;
                case VdiResult.VD_E_TIMEOUT:
                    command = default;
                    return false;
                default:
                    throw CreateFetchException(result);
            }
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Turns a failed CompleteCommand into the exception <see cref="DeviceCommand.Complete"/> documents.</summary>
    internal void ThrowForCompletion(VdiResult result)
    {
        if (result == VdiResult.VD_E_INVALID)
        {
            ThrowHelper.ThrowInvalidOperation("The command is not outstanding: it was completed concurrently.");
        }

        if (_set.IsDisposed)
        {
            ThrowHelper.ThrowObjectDisposed(typeof(VirtualDeviceSet));
        }

        ThrowHelper.ThrowVdi(result, $"CompleteCommand on device '{Name}'");
    }

    /// <summary>The exception for a fetch that ended with <paramref name="result"/> (neither a command, a timeout nor the end).</summary>
    internal Exception CreateFetchException(VdiResult result) =>
        _set.IsDisposed && result is VdiResult.VD_E_PROTOCOL or VdiResult.VD_E_ABORT
            ? new ObjectDisposedException(typeof(VirtualDeviceSet).FullName)
            : ThrowHelper.CreateVdi(result, $"GetCommand on device '{Name}'");

    /// <summary>The set is being disposed: lets an idle waiter thread end.</summary>
    internal void Shutdown() => _waiter?.Stop();

    /// <summary>The fallback waiter saw the device's end.</summary>
    internal void MarkEnded() => Volatile.Write(ref _ended, 1);

    private bool TryEnter() => Interlocked.Exchange(ref _busy, 1) == 0;

    private void Exit() => Volatile.Write(ref _busy, 0);

    private InvalidOperationException CreateBusyException() =>
        new($"Another fetch on device '{Name}' has not returned yet: a device is driven by one caller at a time.");
}
