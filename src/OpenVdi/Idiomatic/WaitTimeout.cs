using System.Diagnostics;

namespace OpenVdi;

/// <summary>
/// Converts .NET timeouts to VDI milliseconds and slices long waits, so the idiomatic layer can check a
/// <see cref="CancellationToken"/> between bounded calls of the faithful (uncancellable) waits.
/// </summary>
internal static class WaitTimeout
{
    /// <summary>
    /// The longest single faithful wait made on behalf of a cancellable call: the bound on how late a cancellation
    /// is noticed. Each slice that ends without result costs one return from a futex wait and one call back in.
    /// </summary>
    public const uint SliceMs = 50;

    /// <summary>
    /// <paramref name="timeout"/> as VDI milliseconds: <see cref="Timeout.InfiniteTimeSpan"/> is
    /// <see cref="VdiTimeout.Infinite"/>, a fraction of a millisecond rounds up.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative (other than infinite), or at least 2^32 - 1 ms.</exception>
    public static uint ToMilliseconds(TimeSpan timeout, string paramName)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return VdiTimeout.Infinite;
        }

        double ms = Math.Ceiling(timeout.TotalMilliseconds);
        if (ms < 0 || ms >= VdiTimeout.Infinite)
        {
            ThrowHelper.ThrowArgumentOutOfRange(paramName, "The timeout must be Timeout.InfiniteTimeSpan or between zero and 2^32 - 2 milliseconds.");
        }

        return (uint)ms;
    }

    /// <summary>The next slice of a wait that started at <paramref name="startTimestamp"/>: 0 once the timeout has passed.</summary>
    public static uint NextSlice(uint timeoutMs, long startTimestamp)
    {
        if (timeoutMs == VdiTimeout.Infinite)
        {
            return SliceMs;
        }

        double left = timeoutMs - Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
        return left <= 0 ? 0 : (uint)Math.Min(SliceMs, Math.Ceiling(left));
    }
}
