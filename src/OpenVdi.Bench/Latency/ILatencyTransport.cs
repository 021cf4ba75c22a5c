using OpenVdi.Bench.Throughput;

namespace OpenVdi.Bench.Latency;

/// <summary>One way of carrying commands and their completions between two processes, both halves.</summary>
internal interface ILatencyTransport
{
    /// <summary>The client's half, in this process: makes its end, starts the server, answers every command at once.</summary>
    /// <exception cref="IOException">The stream failed.</exception>
    /// <exception cref="VdiException">A VDI call failed (OpenVdi).</exception>
    void Answer(string endpoint, IProducerLink pinger, CancellationToken abort);

    /// <summary>The server's half, timed: sends <see cref="LatencyCase.Count"/> commands, at most <see cref="LatencyCase.InFlight"/> outstanding.</summary>
    /// <param name="run">The case: how many commands, how many outstanding.</param>
    /// <param name="endpoint">The client's end, as it made it.</param>
    /// <param name="connected">Called once the server's end is open, before the first command.</param>
    TimeSpan Ping(LatencyCase run, string endpoint, Action connected);
}
