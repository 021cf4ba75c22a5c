namespace OpenVdi.Bench.Throughput;

/// <summary>The consumer's hold on the producer of one run, wherever it runs.</summary>
internal interface IProducerLink
{
    /// <summary>Tells the producer to start: called once the consumer's end (set, FIFOs, listening socket) exists.</summary>
    void Start();

    /// <summary>Waits until the producer reports that it has opened its end of every stream.</summary>
    /// <exception cref="IOException">The producer failed or did not connect in time.</exception>
    void WaitConnected();
}
