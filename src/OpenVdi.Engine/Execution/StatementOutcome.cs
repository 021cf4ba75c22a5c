using OpenVdi.Engine.Messages;

namespace OpenVdi.Engine.Execution;

/// <summary>What a statement ended with: success or not, and everything it sent.</summary>
public sealed record StatementOutcome
{
    /// <summary>True when the statement succeeded (no error message was sent).</summary>
    public required bool Succeeded { get; init; }

    /// <summary>Every message, in the order sent.</summary>
    public required IReadOnlyList<SqlMessage> Messages { get; init; }

    /// <summary>Every result set, in the order sent.</summary>
    public IReadOnlyList<ResultSet> ResultSets { get; init; } = [];

    /// <summary>The first error message, or null on success.</summary>
    public SqlMessage? FirstError => Messages.FirstOrDefault(m => m.IsError);
}
