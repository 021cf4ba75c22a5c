namespace OpenVdi.Engine.Statements;

/// <summary>
/// <c>RESTORE DATABASE|LOG db FROM …</c> or <c>RESTORE VERIFYONLY|HEADERONLY|FILELISTONLY|LABELONLY
/// FROM …</c>, parsed and checked.
/// </summary>
public sealed record RestoreStatement : Statement
{
    /// <summary>Which RESTORE statement this is.</summary>
    public required RestoreKind Kind { get; init; }

    /// <summary>The database to restore, without brackets or quotes; null for the kinds that name no database (VERIFYONLY, HEADERONLY, FILELISTONLY, LABELONLY).</summary>
    public string? DatabaseName { get; init; }

    /// <summary><c>REPLACE</c> was given.</summary>
    public bool Replace { get; init; }

    /// <summary>The <c>MOVE</c> clauses in the order written; empty when there are none.</summary>
    public EquatableList<FileMove> Moves { get; init; } = EquatableList.Empty<FileMove>();

    /// <summary>True for <c>RECOVERY</c>, false for <c>NORECOVERY</c>, null when neither is given (SQL Server's default is RECOVERY).</summary>
    public bool? Recovery { get; init; }

    /// <inheritdoc/>
    public override string OperationName => StatementKinds.OperationName(StatementKinds.From(Kind));
}
