namespace OpenVdi.Bench.Throughput;

/// <summary>One way of carrying a run's bytes from a producer to a consumer, both halves.</summary>
internal interface IThroughputTransport
{
    /// <summary>
    /// The consumer's half, in this process: makes its end at <paramref name="endpoint"/>, starts the producer,
    /// reads every byte of every stream in place and checksums it. The clock runs from the moment every stream is
    /// connected to the last byte.
    /// </summary>
    /// <exception cref="IOException">A stream failed or ended early.</exception>
    /// <exception cref="VdiException">A VDI call failed (OpenVdi).</exception>
    ThroughputMeasurement Consume(ThroughputCase run, string endpoint, IProducerLink producer, CancellationToken abort);

    /// <summary>The producer's half: copies each stream's chunks from <paramref name="source"/> into the transport.</summary>
    /// <param name="run">The case: streams, transfer size, bytes, buffers.</param>
    /// <param name="endpoint">The consumer's end, as it made it.</param>
    /// <param name="source">The bytes to copy from.</param>
    /// <param name="connected">Called once every stream's end is open, before the first byte.</param>
    void Produce(ThroughputCase run, string endpoint, SourceData source, Action connected);
}
