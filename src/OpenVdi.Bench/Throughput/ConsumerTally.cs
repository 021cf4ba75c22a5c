namespace OpenVdi.Bench.Throughput;

/// <summary>The bytes and checksums of every stream of one run, added up as the streams finish.</summary>
internal sealed class ConsumerTally
{
    private long _bytes;
    private ulong _checksum;
    private string? _failure;

    public long Bytes => Interlocked.Read(ref _bytes);

    public ulong Checksum => Interlocked.Read(ref _checksum);

    /// <summary>The first failure any stream reported, or null.</summary>
    public string? Failure => Volatile.Read(ref _failure);

    /// <summary>Adds one stream's totals.</summary>
    public void Add(long bytes, ulong checksum)
    {
        Interlocked.Add(ref _bytes, bytes);

        // A wrapping sum: the order the streams finish in does not matter.
        ulong seen, sum;
        do
        {
            seen = Interlocked.Read(ref _checksum);
            sum = seen + checksum;
        }
        while (Interlocked.CompareExchange(ref _checksum, sum, seen) != seen);
    }

    /// <summary>Keeps the first failure.</summary>
    public void Fail(string failure) => Interlocked.CompareExchange(ref _failure, failure, null);

    /// <summary>Runs <paramref name="body"/> once per stream, each on its own thread, and waits for all.</summary>
    public void RunStreams(int streams, Action<int> body)
    {
        var threads = new Thread[streams];
        for (int s = 0; s < streams; s++)
        {
            int stream = s;
            threads[s] = new Thread(() =>
            {
                try
                {
                    body(stream);
                }
                catch (Exception e) when (e is IOException or InvalidOperationException or System.Net.Sockets.SocketException or VdiException)
                {
                    Fail($"stream {stream}: {e.Message}");
                }
            })
            { IsBackground = true, Name = $"bench stream {stream}" };
            threads[s].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }
    }
}
