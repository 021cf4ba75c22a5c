namespace OpenVdi.Engine.Statements;

/// <summary>
/// <c>BACKUP DATABASE|LOG db TO VIRTUAL_DEVICE = '…' [, …] [WITH …]</c>, parsed and checked.
/// </summary>
public sealed record BackupStatement : Statement
{
    /// <summary>Whether the database or its log is backed up.</summary>
    public required BackupKind Kind { get; init; }

    /// <summary>The database name, without brackets or quotes.</summary>
    public required string DatabaseName { get; init; }

    /// <summary><c>COPY_ONLY</c> was given.</summary>
    public bool CopyOnly { get; init; }

    /// <summary><c>DIFFERENTIAL</c> was given (BACKUP DATABASE only).</summary>
    public bool Differential { get; init; }

    /// <summary>True for <c>FORMAT</c>, false for <c>NOFORMAT</c>, null when neither is given.</summary>
    public bool? Format { get; init; }

    /// <summary>True for <c>INIT</c>, false for <c>NOINIT</c>, null when neither is given.</summary>
    public bool? Init { get; init; }

    /// <summary><c>NAME</c>: the backup set name; null when not given.</summary>
    public string? Name { get; init; }

    /// <summary><c>DESCRIPTION</c>: the backup set description; null when not given.</summary>
    public string? Description { get; init; }

    /// <inheritdoc/>
    public override string OperationName => StatementKinds.OperationName(StatementKinds.From(Kind));
}
