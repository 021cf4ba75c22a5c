namespace OpenVdi.Engine.Statements;

/// <summary>A grammatical BACKUP or RESTORE statement before its names and values are checked.</summary>
/// <param name="Kind">The statement form.</param>
/// <param name="Start">The statement's first token (BACKUP or RESTORE).</param>
internal sealed record StatementSyntax(StatementKind Kind, Token Start)
{
    /// <summary>The database name (an identifier or a variable); null for the forms that name none.</summary>
    public Token? DatabaseName { get; init; }

    /// <summary>The devices in the order written; empty when a RESTORE has no FROM.</summary>
    public IReadOnlyList<DeviceSyntax> Devices { get; init; } = [];

    /// <summary>The WITH options in the order written.</summary>
    public IReadOnlyList<OptionSyntax> Options { get; init; } = [];

    /// <summary>Every variable the statement uses, in the order written.</summary>
    public IReadOnlyList<Token> Variables { get; init; } = [];
}
