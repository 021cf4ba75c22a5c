using System.Diagnostics;

namespace OpenVdi.Transport;

/// <summary>A point in time a wait must end by, from a VDI timeout in milliseconds (INFINITE: never).</summary>
internal readonly struct Deadline
{
    private readonly long _endTicks;

    public Deadline(uint timeoutMs)
    {
        _endTicks = timeoutMs == VdiTimeout.Infinite ? long.MaxValue : Stopwatch.GetTimestamp() + (long)(timeoutMs * (double)Stopwatch.Frequency / 1000);
    }

    public bool IsInfinite => _endTicks == long.MaxValue;

    /// <summary>Milliseconds left, capped at <paramref name="cap"/>; 0 once expired.</summary>
    public int RemainingMs(int cap)
    {
        if (IsInfinite)
        {
            return cap;
        }

        long left = _endTicks - Stopwatch.GetTimestamp();
        if (left <= 0)
        {
            return 0;
        }

        return (int)Math.Min(cap, Math.Max(1, left * 1000 / Stopwatch.Frequency));
    }

    public bool HasExpired => !IsInfinite && Stopwatch.GetTimestamp() >= _endTicks;
}
