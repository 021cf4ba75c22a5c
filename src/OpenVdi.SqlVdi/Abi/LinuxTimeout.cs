namespace OpenVdi.SqlVdi.Abi;

/// <summary>The Linux header's timeouts: <c>time_t</c> milliseconds, where any negative value waits forever.</summary>
internal static class LinuxTimeout
{
    /// <summary>What a caller of the Linux library passes to wait forever.</summary>
    public const long Forever = -1;

    /// <summary>
    /// OpenVdi's timeout for <paramref name="milliseconds"/>: <see cref="VdiTimeout.Infinite"/> for a negative value
    /// and for 0xFFFFFFFF and above (Windows' <c>INFINITE</c>, which a ported client may pass), else the same value.
    /// </summary>
    public static uint ToVdiTimeout(long milliseconds) =>
        milliseconds is < 0 or >= VdiTimeout.Infinite ? VdiTimeout.Infinite : (uint)milliseconds;

    /// <summary>
    /// The Linux library's timeout for OpenVdi's <paramref name="milliseconds"/>: <see cref="VdiTimeout.Infinite"/>
    /// becomes <see cref="Forever"/> (passed as it is, 0xFFFFFFFF would be a wait of 49 days to a library that takes the
    /// header at its word), anything else the same number.
    /// </summary>
    public static long FromVdiTimeout(uint milliseconds) =>
        milliseconds == VdiTimeout.Infinite ? Forever : milliseconds;
}
