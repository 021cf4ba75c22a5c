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

    /// <summary>The clock for backup times.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
