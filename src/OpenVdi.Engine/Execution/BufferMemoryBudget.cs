namespace OpenVdi.Engine.Execution;

/// <summary>
/// What the engine allows its statements' buffers to take, all together: each statement's BUFFERCOUNT ×
/// MAXTRANSFERSIZE is shared memory (/dev/shm) that the VDI server creates and faults in before the first byte moves,
/// so an unchecked statement (BUFFERCOUNT = 256, MAXTRANSFERSIZE = 4 MiB is 1 GiB) could exhaust the machine's memory
/// for anyone allowed to send one. A statement reserves its share before it opens its devices, and gives it back
/// when its devices are closed; one that does not fit is refused (message 701), not queued.
/// </summary>
internal sealed class BufferMemoryBudget
{
    private readonly Lock _lock = new();
    private long _reserved;

    public BufferMemoryBudget(long limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        Limit = limit;
    }

    /// <summary>The budget, in bytes.</summary>
    public long Limit { get; }

    /// <summary>What is free now, in bytes.</summary>
    public long Available
    {
        get
        {
            lock (_lock)
            {
                return Limit - _reserved;
            }
        }
    }

    /// <summary>Reserves <paramref name="bytes"/>; null when they do not fit. Dispose the lease to give them back.</summary>
    public IDisposable? TryReserve(long bytes)
    {
        lock (_lock)
        {
            if (bytes > Limit - _reserved)
            {
                return null;
            }

            _reserved += bytes;
            return new Lease(this, bytes);
        }
    }

    private void Release(long bytes)
    {
        lock (_lock)
        {
            _reserved -= bytes;
        }
    }

    private sealed class Lease(BufferMemoryBudget owner, long bytes) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Release(bytes);
            }
        }
    }
}
