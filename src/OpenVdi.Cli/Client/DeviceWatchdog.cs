using System.Diagnostics;

namespace OpenVdi.Cli.Client;

/// <summary>
/// Notices an engine that stopped sending. Every device notes each command it gets and completes; a device that has
/// waited longer than the timeout reports a stall only if no device of the set has seen anything for that long
/// either, so one device idle while the others are busy (its buffers are in their hands) is not a stall.
/// </summary>
internal sealed class DeviceWatchdog
{
    private readonly TimeSpan _timeout;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastActivityTicks;
    private int _fired;

    public DeviceWatchdog(TimeSpan timeout) => _timeout = timeout;

    /// <summary>How long the set may see nothing.</summary>
    public TimeSpan Timeout => _timeout;

    /// <summary>Whether there is a timeout to watch.</summary>
    public bool Enabled => _timeout != System.Threading.Timeout.InfiniteTimeSpan;

    /// <summary>Whether a device reported a stall.</summary>
    public bool Fired => Volatile.Read(ref _fired) != 0;

    /// <summary>A device got or completed a command.</summary>
    public void Saw() => Volatile.Write(ref _lastActivityTicks, _clock.Elapsed.Ticks);

    /// <summary>True, once, when the whole set has seen nothing for longer than the timeout.</summary>
    public bool HasStalled() =>
        Enabled
        && _clock.Elapsed - TimeSpan.FromTicks(Volatile.Read(ref _lastActivityTicks)) >= _timeout
        && Interlocked.Exchange(ref _fired, 1) == 0;
}
