namespace OpenVdi.Bench.Throughput;

/// <summary>What the consumer saw: how long the bytes took, how many arrived, and the sum of their buffers' checksums.</summary>
internal readonly record struct ThroughputMeasurement(TimeSpan Elapsed, long Bytes, ulong Checksum)
{
    /// <summary>Decimal gigabytes per second.</summary>
    public double GigabytesPerSecond => Bytes / Elapsed.TotalSeconds / 1e9;
}
