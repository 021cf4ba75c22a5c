using System.Diagnostics;

namespace OpenVdi.Cli.Client;

/// <summary>
/// How far a transfer is: the bytes through the devices so far (read from the stripe files' counters), against the
/// total when it is known (a restore reads stripes of known length) or an estimate from the engine's STATS percent
/// (a backup: the engine knows the database's size, the client does not). Safe to sample from any thread.
/// </summary>
internal sealed class TransferMonitor
{
    private readonly Func<long> _bytes;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _estimatedTotal;

    /// <param name="operation">What moves the bytes: backup, restore, verify…</param>
    /// <param name="bytes">Reads the bytes moved so far.</param>
    /// <param name="totalBytes">The bytes the transfer moves in all, when known.</param>
    public TransferMonitor(string operation, Func<long> bytes, long? totalBytes = null)
    {
        Operation = operation;
        _bytes = bytes;
        TotalBytes = totalBytes;
    }

    /// <summary>What moves the bytes.</summary>
    public string Operation { get; }

    /// <summary>The bytes the transfer moves in all, when known in advance.</summary>
    public long? TotalBytes { get; }

    /// <summary>
    /// The engine said <paramref name="percent"/> percent is done (message 3211): with the bytes moved by now, that
    /// estimates the total when it is not known.
    /// </summary>
    public void ReportPercent(int percent)
    {
        if (percent is > 0 and <= 100)
        {
            Interlocked.Exchange(ref _estimatedTotal, _bytes() * 100 / percent);
        }
    }

    /// <summary>Where the transfer is now.</summary>
    public TransferProgress Sample()
    {
        long bytes = _bytes();
        var elapsed = _clock.Elapsed;
        double rate = bytes / Math.Max(elapsed.TotalSeconds, 1e-3);
        long estimated = Interlocked.Read(ref _estimatedTotal);
        long? total = TotalBytes ?? (estimated > 0 ? Math.Max(estimated, bytes) : null);
        double? fraction = total is > 0 and { } t ? Math.Min(1.0, (double)bytes / t) : null;
        TimeSpan? eta = total is { } whole && rate > 0 && bytes > 0 ? TimeSpan.FromSeconds(Math.Max(0, whole - bytes) / rate) : null;
        return new TransferProgress(Operation, bytes, total, TotalBytes is null && total is not null, fraction, rate, elapsed, eta);
    }
}
