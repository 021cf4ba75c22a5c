using OpenVdi.Engine.Messages;

namespace OpenVdi.Engine.Statements;

/// <summary>One token of the statement text.</summary>
/// <param name="Kind">What the token is.</param>
/// <param name="Text">The token exactly as written, quotes and brackets included.</param>
/// <param name="Value">What the token means: a string's or delimited identifier's content with doubled quotes read as one; the text itself for every other kind.</param>
/// <param name="Position">Where the token starts.</param>
internal readonly record struct Token(TokenKind Kind, string Text, string Value, SourcePosition Position)
{
    /// <summary>For <see cref="TokenKind.LexicalError"/>, the messages SQL Server gives for the bad text, in its order.</summary>
    public IReadOnlyList<SqlMessage>? Errors { get; init; }

    /// <summary>True for a regular identifier that T-SQL reserves (such words produce 156, not 102).</summary>
    public bool IsReservedKeyword => Kind == TokenKind.Identifier && ReservedKeywords.Contains(Text);

    /// <summary>
    /// What SQL Server quotes in "Incorrect syntax near '…'": the content of a string or delimited
    /// identifier, the text of anything else.
    /// </summary>
    public string NearText => Kind is TokenKind.StringLiteral or TokenKind.DelimitedIdentifier ? Value : Text;

    /// <summary>Whether the token is the regular identifier <paramref name="word"/>, in any case.</summary>
    /// <param name="word">The word in upper case.</param>
    /// <returns>True when it is; a delimited identifier never is, so <c>[WITH]</c> is a name, not a keyword.</returns>
    public bool IsWord(string word) =>
        Kind == TokenKind.Identifier && string.Equals(Text, word, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the token is the punctuation character <paramref name="character"/>.</summary>
    /// <param name="character">The character.</param>
    /// <returns>True when it is.</returns>
    public bool IsPunctuation(char character) => Kind == TokenKind.Punctuation && Text[0] == character;
}
