namespace OpenVdi.Bench.Latency;

/// <summary>
/// The same ping-pong over a byte stream (pipe, socket): the server side writes a 64-byte command and reads a 64-byte
/// completion, keeping <see cref="LatencyCase.InFlight"/> commands outstanding; the client side, blocked in read
/// (asleep in the kernel) whenever nothing is there, answers each at once.
/// </summary>
internal static class StreamPingPong
{
    /// <summary>The client's side: echoes messages until end of stream.</summary>
    public static void Answer(Stream input, Stream output)
    {
        Span<byte> message = stackalloc byte[LatencyCase.MessageSize];
        while (ReadMessage(input, message))
        {
            output.Write(message);
        }
    }

    /// <summary>The server's side, timed: <see cref="LatencyCase.Count"/> commands with the window kept full.</summary>
    /// <exception cref="IOException">The client went away before answering every command.</exception>
    public static TimeSpan Ping(LatencyCase run, Stream output, Stream input)
    {
        Span<byte> message = stackalloc byte[LatencyCase.MessageSize];
        int sent = 0;
        int answered = 0;
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (sent < run.InFlight && sent < run.Count)
        {
            Send(output, message, sent++);
        }

        while (answered < run.Count)
        {
            if (!ReadMessage(input, message))
            {
                throw new IOException($"The client went away after answering {answered} of {run.Count} commands.");
            }

            answered++;
            if (sent < run.Count)
            {
                Send(output, message, sent++);
            }
        }

        return System.Diagnostics.Stopwatch.GetElapsedTime(started);
    }

    private static void Send(Stream output, Span<byte> message, int sequence)
    {
        BitConverter.TryWriteBytes(message, sequence);
        output.Write(message);
    }

    private static bool ReadMessage(Stream input, Span<byte> message)
    {
        int filled = 0;
        while (filled < message.Length)
        {
            int n = input.Read(message[filled..]);
            if (n == 0)
            {
                return filled == 0 ? false : throw new IOException("The stream ended inside a message.");
            }

            filled += n;
        }

        return true;
    }
}
