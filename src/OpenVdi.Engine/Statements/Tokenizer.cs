using System.Text;
using OpenVdi.Engine.Messages;

namespace OpenVdi.Engine.Statements;

/// <summary>
/// Splits statement text into tokens by T-SQL's lexical rules: whitespace and comments anywhere
/// (<c>--</c> to the end of the line, <c>/* */</c> nested), regular identifiers, <c>[bracketed]</c>
/// and <c>"quoted"</c> identifiers (QUOTED_IDENTIFIER ON, the default of every modern client),
/// <c>'strings'</c> and <c>N'strings'</c> with doubled quotes, <c>@variables</c>, numbers and single
/// punctuation characters.
/// </summary>
/// <remarks>
/// The list ends with <see cref="TokenKind.EndOfInput"/>, or with a <see cref="TokenKind.LexicalError"/>
/// token where the text stops being tokenizable. Tokenizing does not stop the parse at once: the parser
/// reaches the error token only if everything before it was grammatical, which is the order in which
/// SQL Server reports a syntax error before an unclosed quote further on.
/// </remarks>
internal sealed class Tokenizer
{
    private readonly string _text;
    private readonly List<Token> _tokens = [];
    private int _index;
    private int _line = 1;
    private int _lineStart;

    private Tokenizer(string text) => _text = text;

    /// <summary>Tokenizes <paramref name="text"/>.</summary>
    /// <param name="text">The statement text.</param>
    /// <returns>The tokens, the last of which is the end of input or a lexical error.</returns>
    public static IReadOnlyList<Token> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Tokenizer(text).Run();
    }

    private bool AtEnd => _index >= _text.Length;

    private List<Token> Run()
    {
        while (true)
        {
            if (SkipTrivia() is { } unclosedComment)
            {
                _tokens.Add(unclosedComment);
                return _tokens;
            }

            if (AtEnd)
            {
                _tokens.Add(new Token(TokenKind.EndOfInput, "", "", Here()));
                return _tokens;
            }

            var token = ReadToken();
            _tokens.Add(token);
            if (token.Kind == TokenKind.LexicalError)
            {
                return _tokens;
            }
        }
    }

    private SourcePosition Here() => new(_line, _index - _lineStart + 1, _index);

    private char Peek(int ahead = 0) => _index + ahead < _text.Length ? _text[_index + ahead] : '\0';

    // Every character is consumed here so that line and column stay right inside comments and strings.
    private void Advance()
    {
        var c = _text[_index++];
        if (c == '\n' || (c == '\r' && Peek() != '\n'))
        {
            _line++;
            _lineStart = _index;
        }
    }

    private void Advance(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Advance();
        }
    }

    private Token? SkipTrivia()
    {
        while (!AtEnd)
        {
            var c = Peek();
            if (char.IsWhiteSpace(c))
            {
                Advance();
            }
            else if (c == '-' && Peek(1) == '-')
            {
                // The newline itself is whitespace and is left for the loop.
                while (!AtEnd && Peek() is not ('\n' or '\r'))
                {
                    Advance();
                }
            }
            else if (c == '/' && Peek(1) == '*')
            {
                var commentStart = Here();
                if (!SkipBlockComment())
                {
                    return LexicalError(commentStart, SqlMessages.MissingEndCommentMark());
                }
            }
            else
            {
                break;
            }
        }

        return null;
    }

    // T-SQL block comments nest: "/* a /* b */" is still open.
    private bool SkipBlockComment()
    {
        var depth = 0;
        while (!AtEnd)
        {
            if (Peek() == '/' && Peek(1) == '*')
            {
                depth++;
                Advance(2);
            }
            else if (Peek() == '*' && Peek(1) == '/')
            {
                depth--;
                Advance(2);
                if (depth == 0)
                {
                    return true;
                }
            }
            else
            {
                Advance();
            }
        }

        return false;
    }

    private Token ReadToken()
    {
        var start = Here();
        var c = Peek();

        if ((c is 'N' or 'n') && Peek(1) == '\'')
        {
            Advance();
            return ReadQuoted(start, '\'', TokenKind.StringLiteral);
        }

        switch (c)
        {
            case '\'':
                return ReadQuoted(start, '\'', TokenKind.StringLiteral);
            case '[':
                return ReadQuoted(start, ']', TokenKind.DelimitedIdentifier);
            case '"':
                return ReadQuoted(start, '"', TokenKind.DelimitedIdentifier);
        }

        if (IsIdentifierStart(c) && !(c == '@' && !IsIdentifierPart(Peek(1))))
        {
            return ReadIdentifier(start);
        }

        if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(Peek(1))))
        {
            return ReadNumber(start);
        }

        Advance();
        var text = c.ToString();
        return new Token(TokenKind.Punctuation, text, text, start);
    }

    // SQL Server's identifier rules: a letter, '_', '@' or '#' first, then letters, digits, '@', '$', '#', '_'.
    private static bool IsIdentifierStart(char c) => char.IsLetter(c) || c is '_' or '@' or '#';

    private static bool IsIdentifierPart(char c) => char.IsLetterOrDigit(c) || c is '_' or '@' or '#' or '$';

    private Token ReadIdentifier(SourcePosition start)
    {
        Advance();
        while (!AtEnd && IsIdentifierPart(Peek()))
        {
            Advance();
        }

        var text = _text[start.Offset.._index];
        if (text.Length > SqlMessages.MaxIdentifierLength)
        {
            return LexicalError(start, SqlMessages.IdentifierTooLong(text));
        }

        var kind = text[0] == '@' ? TokenKind.Variable : TokenKind.Identifier;
        return new Token(kind, text, text, start);
    }

    // Strings and delimited identifiers share one rule: the closing character, doubled, stands for itself.
    private Token ReadQuoted(SourcePosition start, char close, TokenKind kind)
    {
        Advance(); // the opening quote or bracket
        var value = new StringBuilder();
        while (!AtEnd)
        {
            var c = Peek();
            if (c == close)
            {
                if (Peek(1) == close)
                {
                    value.Append(close);
                    Advance(2);
                    continue;
                }

                Advance();
                var text = _text[start.Offset.._index];
                var content = value.ToString();
                if (kind == TokenKind.DelimitedIdentifier && content.Length > SqlMessages.MaxIdentifierLength)
                {
                    return LexicalError(start, SqlMessages.IdentifierTooLong(content));
                }

                return new Token(kind, text, content, start);
            }

            value.Append(c);
            Advance();
        }

        // SQL Server answers an unclosed quote with 105 and then 102 near the same text.
        var rest = value.ToString();
        return LexicalError(start, SqlMessages.UnclosedQuotationMark(rest), SqlMessages.IncorrectSyntax(rest));
    }

    private Token ReadNumber(SourcePosition start)
    {
        if (Peek() == '0' && Peek(1) is 'x' or 'X')
        {
            Advance(2);
            while (!AtEnd && char.IsAsciiHexDigit(Peek()))
            {
                Advance();
            }

            return Number(start, TokenKind.OtherNumber);
        }

        var kind = TokenKind.IntegerLiteral;
        SkipDigits();
        if (Peek() == '.')
        {
            kind = TokenKind.OtherNumber;
            Advance();
            SkipDigits();
        }

        if (Peek() is 'e' or 'E')
        {
            kind = TokenKind.OtherNumber;
            Advance();
            if (Peek() is '+' or '-')
            {
                Advance();
            }

            SkipDigits();
            return Number(start, kind);
        }

        // Integer and decimal literals carry at most 38 significant digits (numeric(38)); floats are not counted.
        var token = Number(start, kind);
        var significant = token.Text.TrimStart('0').Count(char.IsAsciiDigit);
        return significant > 38 ? LexicalError(start, SqlMessages.NumberOutOfRange(token.Text)) : token;
    }

    private void SkipDigits()
    {
        while (!AtEnd && char.IsAsciiDigit(Peek()))
        {
            Advance();
        }
    }

    private Token Number(SourcePosition start, TokenKind kind)
    {
        var text = _text[start.Offset.._index];
        return new Token(kind, text, text, start);
    }

    private static Token LexicalError(SourcePosition start, params SqlMessage[] messages)
    {
        var lined = Array.ConvertAll(messages, m => m with { LineNumber = start.Line });
        return new Token(TokenKind.LexicalError, "", "", start) { Errors = lined };
    }
}
