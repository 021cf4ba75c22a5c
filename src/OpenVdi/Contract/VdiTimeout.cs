namespace OpenVdi;

/// <summary>Timeout values of the waiting calls, in milliseconds.</summary>
public static class VdiTimeout
{
    /// <summary>Wait without a time limit (<c>INFINITE</c>, 0xFFFFFFFF).</summary>
    public const uint Infinite = 0xFFFFFFFF;

    /// <summary>Do not wait: report <see cref="VdiResult.VD_E_TIMEOUT"/> at once when nothing is ready.</summary>
    public const uint Poll = 0;
}
