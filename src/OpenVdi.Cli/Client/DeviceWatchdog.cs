namespace OpenVdi.Cli.Client;

/// <summary>
/// Notices an engine that stopped sending. Every device notes each command it gets and completes, and says while it
/// is busy with one (writing, flushing a stripe); a device that has waited longer than the timeout reports a stall
/// only if no device is busy and none has seen anything for that long either. So one device idle while the others
/// hold the buffers, or while this side flushes a slow disk, is not a stall: only a set the engine left alone is.
/// </summary>
internal sealed class DeviceWatchdog
{
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private long _lastActivity;
    private int _busy;
    private int _fired;

    /// <param name="timeout">How long the set may see nothing; <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> for no limit.</param>
    /// <param name="time">The clock (a test's own); the system's when null.</param>
    public DeviceWatchdog(TimeSpan timeout, TimeProvider? time = null)
    {
        _timeout = timeout;
        _time = time ?? TimeProvider.System;
        _lastActivity = _time.GetTimestamp();
    }

    /// <summary>How long the set may see nothing.</summary>
    public TimeSpan Timeout => _timeout;

    /// <summary>Whether there is a timeout to watch.</summary>
    public bool Enabled => _timeout != System.Threading.Timeout.InfiniteTimeSpan;

    /// <summary>Whether a device reported a stall.</summary>
    public bool Fired => Volatile.Read(ref _fired) != 0;

    /// <summary>A device got a command: it is busy with it until <see cref="Done"/>.</summary>
    public void Began()
    {
        Interlocked.Increment(ref _busy);
        Volatile.Write(ref _lastActivity, _time.GetTimestamp());
    }

    /// <summary>A device completed its command.</summary>
    public void Done()
    {
        Volatile.Write(ref _lastActivity, _time.GetTimestamp());
        Interlocked.Decrement(ref _busy);
    }

    /// <summary>True, once, when no device is busy and the whole set has seen nothing for longer than the timeout.</summary>
    public bool HasStalled() =>
        Enabled
        && Volatile.Read(ref _busy) == 0
        && _time.GetElapsedTime(Volatile.Read(ref _lastActivity)) >= _timeout
        && Interlocked.Exchange(ref _fired, 1) == 0;
}
