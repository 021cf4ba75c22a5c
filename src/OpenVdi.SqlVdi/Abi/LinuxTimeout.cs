namespace OpenVdi.SqlVdi.Abi;

/// <summary>The Linux header's timeouts: <c>time_t</c> milliseconds, where any negative value waits forever.</summary>
internal static class LinuxTimeout
{
    /// <summary>
    /// OpenVdi's timeout for <paramref name="milliseconds"/>: <see cref="VdiTimeout.Infinite"/> for a negative value
    /// and for 0xFFFFFFFF and above (Windows' <c>INFINITE</c>, which a ported client may pass), else the same value.
    /// </summary>
    public static uint ToVdiTimeout(long milliseconds) =>
        milliseconds is < 0 or >= VdiTimeout.Infinite ? VdiTimeout.Infinite : (uint)milliseconds;
}
