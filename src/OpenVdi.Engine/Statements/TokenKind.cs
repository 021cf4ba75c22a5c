namespace OpenVdi.Engine.Statements;

/// <summary>The kinds of token the tokenizer produces.</summary>
internal enum TokenKind
{
    /// <summary>The end of the text; always the last token of a list that has no lexical error.</summary>
    EndOfInput,

    /// <summary>Text that cannot be tokenized; always the last token of its list, carrying the messages.</summary>
    LexicalError,

    /// <summary>A regular identifier or keyword (keywords are identifiers until the parser looks at them).</summary>
    Identifier,

    /// <summary>A <c>[bracketed]</c> or <c>"quoted"</c> identifier; never a keyword.</summary>
    DelimitedIdentifier,

    /// <summary>An <c>@name</c>.</summary>
    Variable,

    /// <summary>A <c>'string'</c> or <c>N'string'</c>.</summary>
    StringLiteral,

    /// <summary>Digits only.</summary>
    IntegerLiteral,

    /// <summary>A decimal, float or binary literal, which no option of these statements takes.</summary>
    OtherNumber,

    /// <summary>Any other single character: <c>= , ; ( ) - +</c> and so on.</summary>
    Punctuation,
}
