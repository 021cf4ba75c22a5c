namespace OpenVdi.Engine.Tests.Execution.Infrastructure;

/// <summary>
/// What each device's client of a <see cref="MemoryBackupClient"/> run saw: the result that ended its command loop
/// (VD_E_CLOSE for a device's normal end, VD_E_ABORT for an aborted set), how many of its waits timed out after its
/// first command, and how many bytes it wrote. Tests can wait for a device's end, and choose how long a wait lasts and
/// whether a timed-out wait aborts the set.
/// </summary>
public sealed class ClientLog
{
    private readonly Lock _lock = new();
    private VdiResult?[] _ends = [];
    private int[] _timeouts = [];
    private long[] _bytes = [];
    private ManualResetEventSlim[] _ended = [];

    /// <summary>How long one GetCommand waits (the client's own timeout). Default 30 seconds.</summary>
    public uint WaitMilliseconds { get; init; } = 30_000;

    /// <summary>After a wait that timed out, the device: true aborts the set (SignalAbort), false waits again.</summary>
    public Func<int, bool> OnTimeout { get; init; } = _ => false;

    public VdiResult? EndOf(int device)
    {
        lock (_lock)
        {
            return _ends[device];
        }
    }

    public int TimeoutsOf(int device) => Volatile.Read(ref _timeouts[device]);

    public long BytesOf(int device) => Interlocked.Read(ref _bytes[device]);

    /// <summary>Waits until the device's command loop ended; false when it did not within <paramref name="limit"/>.</summary>
    public bool WaitForEnd(int device, TimeSpan limit) => _ended[device].Wait(limit);

    internal void Prepare(int devices)
    {
        _ends = new VdiResult?[devices];
        _timeouts = new int[devices];
        _bytes = new long[devices];
        _ended = [.. Enumerable.Range(0, devices).Select(_ => new ManualResetEventSlim())];
    }

    internal void End(int device, VdiResult result)
    {
        lock (_lock)
        {
            _ends[device] = result;
        }

        _ended[device].Set();
    }

    internal bool TimedOut(int device)
    {
        Interlocked.Increment(ref _timeouts[device]);
        return OnTimeout(device);
    }

    internal void Moved(int device, uint bytes) => Interlocked.Add(ref _bytes[device], bytes);
}
