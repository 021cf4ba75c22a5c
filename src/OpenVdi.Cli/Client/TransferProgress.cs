namespace OpenVdi.Cli.Client;

/// <summary>One sample of a transfer's progress.</summary>
/// <param name="Operation">What moves the bytes: backup, restore, verify…</param>
/// <param name="Bytes">Bytes through the devices so far.</param>
/// <param name="TotalBytes">The total, when known or estimated.</param>
/// <param name="TotalIsEstimate">Whether <paramref name="TotalBytes"/> is estimated from the engine's percent.</param>
/// <param name="Fraction">Done, from 0 to 1, when a total is known.</param>
/// <param name="BytesPerSecond">The mean rate since the statement was sent.</param>
/// <param name="Elapsed">Since the statement was sent.</param>
/// <param name="Remaining">The time left at the mean rate, when a total is known.</param>
internal sealed record TransferProgress(
    string Operation,
    long Bytes,
    long? TotalBytes,
    bool TotalIsEstimate,
    double? Fraction,
    double BytesPerSecond,
    TimeSpan Elapsed,
    TimeSpan? Remaining);
