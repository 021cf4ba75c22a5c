namespace OpenVdi.Bench;

/// <summary>
/// One latency measurement: <see cref="Count"/> commands, at most <see cref="InFlight"/> of them outstanding at once.
/// With one in flight each is a full round trip (the server sends, the idle client wakes in the kernel, takes it,
/// completes it, the server's completion routine runs); with many, the figure is the cost per command when the
/// pipeline is full.
/// </summary>
internal sealed record LatencyCase(TransportKind Transport, int InFlight, int Count)
{
    /// <summary>The size of a message on a pipe or socket: a command slot's size in the control segment.</summary>
    public const int MessageSize = 64;

    /// <summary>"round trip" or "64 in flight", for the table.</summary>
    public string Shape => InFlight == 1 ? "round trip, 1 in flight" : $"per command, {InFlight} in flight";
}
