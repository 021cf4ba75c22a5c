namespace OpenVdi.Engine.Statements;

/// <summary>
/// The engine's front door for statement text: tokenizes, parses and checks one BACKUP or RESTORE
/// statement the way SQL Server does, and answers with SQL Server's messages when it refuses it.
/// </summary>
public static class StatementParser
{
    /// <summary>
    /// Parses and checks one statement (with an optional trailing <c>;</c>).
    /// </summary>
    /// <param name="text">The statement text.</param>
    /// <returns>
    /// A result holding the <see cref="BackupStatement"/> or <see cref="RestoreStatement"/>, or, when
    /// the text is refused, the SQL Server messages that say why: a syntax error (102, 156, 105, 113,
    /// 155, 137, …, severity 15) or a statement error (3205, 3031, 3032, 3250, 3253, …, severity 16,
    /// followed by 3013). Bad text never throws.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static StatementParseResult Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = Tokenizer.Tokenize(text);
        return Parser.TryParse(tokens, out var syntax, out var failure)
            ? StatementBinder.Bind(syntax)
            : new StatementParseResult(failure);
    }
}
