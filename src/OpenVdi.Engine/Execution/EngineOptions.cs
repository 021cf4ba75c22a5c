using OpenVdi.Engine.Faults;

namespace OpenVdi.Engine.Execution;

/// <summary>How a <see cref="StatementEngine"/> runs.</summary>
public sealed record EngineOptions
{
    /// <summary>The directory that holds the engine's databases (one folder per database).</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The instance whose virtual device sets the engine opens; null for the default instance.</summary>
    public string? Instance { get; init; }

    /// <summary>Faults to inject into every statement's devices (none by default).</summary>
    public FaultPlan Faults { get; init; } = FaultPlan.None;

    /// <summary>How long a statement waits for the client's virtual device set to exist before failing with 3201.</summary>
    public TimeSpan SetOpenTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A BACKUP sends VDC_Flush on each device after this many bytes, and at the end (SQL Server flushes more than once in a large backup).</summary>
    public long FlushInterval { get; init; } = 1L << 30;

    /// <summary>
    /// The shared memory the buffers of all running statements may take together (BUFFERCOUNT × MAXTRANSFERSIZE
    /// each), in bytes; a statement that would go over it fails with message 701. Default 512 MiB.
    /// </summary>
    public long BufferMemoryLimit { get; init; } = DefaultBufferMemoryLimit;

    /// <summary>The default of <see cref="BufferMemoryLimit"/>: 512 MiB.</summary>
    public const long DefaultBufferMemoryLimit = 512L << 20;

    /// <summary>The clock for backup times.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
