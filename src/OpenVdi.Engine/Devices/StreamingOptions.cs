namespace OpenVdi.Engine.Devices;

/// <summary>How a <see cref="StreamingServer"/> configures a set: the BACKUP/RESTORE options that drive VDI.</summary>
public sealed record StreamingOptions
{
    /// <summary>BLOCKSIZE: every transfer is a multiple of it (power of two, 512..65536). Default 512, VDI's default.</summary>
    public uint BlockSize { get; init; } = 512;

    /// <summary>MAXTRANSFERSIZE: the data size of each buffer (multiple of 64 KiB, up to 4 MiB). Default 64 KiB, VDI's default.</summary>
    public uint MaxTransferSize { get; init; } = 65536;

    /// <summary>BUFFERCOUNT: buffers shared by all devices. 0 chooses 2 per device plus 2, at least 4.</summary>
    public uint BufferCount { get; init; }

    /// <summary>Send VDC_Complete after the final Flush when the client asked for it (VDF_RequestComplete).</summary>
    public bool SendComplete { get; init; } = true;

    /// <summary>How long <see cref="StreamingServer.OpenAsync"/> waits for the client to create the set.</summary>
    public TimeSpan OpenTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// BACKUP: after this many bytes written on a device, wait for them to complete and send a VDC_Flush before going
    /// on (SQL Server flushes more than once in a large backup). 0 flushes only at the end.
    /// </summary>
    public long FlushInterval { get; init; }

    /// <summary>
    /// How long to wait for the client to complete a command before giving up and aborting the set (the server's
    /// own patience, apart from the client's serverTimeOut). Infinite by default.
    /// </summary>
    public TimeSpan CompletionTimeout { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>
    /// Runs the devices' loops in parallel, each on a thread of its own: the producer (or consumer) is then called for
    /// different devices at once (never twice at once for one device), so it must share nothing between devices
    /// unsynchronized. Worth it where the copy per command outweighs a wake-up (about 60 µs a MiB), as SQL Server's
    /// own thread per device copies in parallel. False (the default): every loop runs on the completion agent's thread,
    /// one device at a time, a wake-up fewer per command. With one device there is nothing to run in parallel, and
    /// its loop stays on the agent's thread. Meant for a client with a thread per device: a client whose devices all
    /// wait asynchronously has one doorbell thread, which spins while commands flow on the processor the device threads
    /// copy on (measured at 1 MiB × 4 on two processors: 0.57–0.79× the in-process copy, docs/benchmarks.md).
    /// </summary>
    public bool ParallelDevices { get; init; }

    /// <summary>The engine's fault injection: called once per device, it may act before each data command.</summary>
    internal Func<ServerVirtualDeviceSet, int, IStreamingHooks?>? Hooks { get; init; }

    internal uint EffectiveBufferCount(int devices) => BufferCount != 0 ? BufferCount : (uint)Math.Max(4, (2 * devices) + 2);
}
