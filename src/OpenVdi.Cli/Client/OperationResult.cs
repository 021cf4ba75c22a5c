using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Format;

namespace OpenVdi.Cli.Client;

/// <summary>What a backup, restore, verify or header listing did, for the command to print and to set its exit code.</summary>
internal sealed record OperationResult
{
    /// <summary>True only when the statement succeeded and everything on this side did too (for a backup: the stripes are in place).</summary>
    public required bool Succeeded { get; init; }

    /// <summary>The statement's outcome, when the engine gave one.</summary>
    public StatementOutcome? Outcome { get; init; }

    /// <summary>What went wrong on this side or with the engine connection, in a sentence; null when nothing did.</summary>
    public string? Problem { get; init; }

    /// <summary>Why the engine gave no outcome (unreachable, refused, connection lost), when that is what happened.</summary>
    public Exception? EngineFailure { get; init; }

    /// <summary>Whether the caller cancelled.</summary>
    public bool Cancelled { get; init; }

    /// <summary>Bytes moved through the devices (written to or read from the stripe files).</summary>
    public long Bytes { get; init; }

    /// <summary>From sending the statement to its end.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>The stripe files: written (a successful backup) or read.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>The set's name.</summary>
    public string? SetName { get; init; }

    /// <summary>Stripe files a killed earlier run left behind in the directory, which this run removed.</summary>
    public IReadOnlyList<string> RemovedOrphans { get; init; } = [];

    /// <summary>The kind of backup read, when its headers said (a restore, verify or listing).</summary>
    public BackupType? BackupType { get; init; }

    /// <summary>Why it failed, in one sentence: this side's problem, else the engine's first error.</summary>
    public string Reason => Problem
        ?? (Outcome?.FirstError is { } first ? $"Msg {first.Number.ToString(System.Globalization.CultureInfo.InvariantCulture)}: {first.Text}" : "the statement failed");
}
