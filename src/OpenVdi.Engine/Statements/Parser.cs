using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using OpenVdi.Engine.Messages;

namespace OpenVdi.Engine.Statements;

/// <summary>
/// Recursive-descent parser for the statement forms the engine runs:
/// <code>
/// statement := ';'* ( backup | restore ) ';'* end
/// backup    := BACKUP ( DATABASE | LOG ) name TO devices [ WITH options ]
/// restore   := RESTORE ( DATABASE | LOG ) name [ FROM devices ] [ WITH options ]
///            | RESTORE ( VERIFYONLY | HEADERONLY | FILELISTONLY | LABELONLY ) FROM devices [ WITH options ]
/// devices   := device ( ',' device )*
/// device    := VIRTUAL_DEVICE '=' ( string | variable ) | identifier | variable
/// options   := option ( ',' option )*
/// option    := word [ '=' value ] | MOVE ( string | variable ) TO ( string | variable )
/// </code>
/// It answers only what SQL Server finds while compiling a batch (syntax, unknown options); the
/// checks SQL Server makes when the statement runs are the <see cref="StatementBinder"/>'s.
/// </summary>
internal sealed class Parser
{
    // Forms SQL Server has that the engine does not run: named so that the answer is 50002, not 102.
    private static readonly FrozenSet<string> s_otherBackupTargets =
        new[] { "CERTIFICATE", "MASTER", "SERVICE", "SYMMETRIC" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string> s_otherRestoreTargets =
        new[] { "REWINDONLY", "MASTER", "SERVICE", "SYMMETRIC" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string> s_otherDeviceTypes =
        new[] { "DISK", "TAPE", "URL", "PIPE" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string> s_fileListWords =
        new[] { "FILE", "FILEGROUP", "PAGE", "READ_WRITE_FILEGROUPS" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private readonly IReadOnlyList<Token> _tokens;
    private readonly List<Token> _variables = [];
    private int _position;
    private ParseFailure? _failure;

    private Parser(IReadOnlyList<Token> tokens) => _tokens = tokens;

    private Token Current => _tokens[_position];

    private Token Next => _tokens[Math.Min(_position + 1, _tokens.Count - 1)];

    /// <summary>Parses one statement.</summary>
    /// <param name="tokens">The tokenizer's output, ending with the end of input or a lexical error.</param>
    /// <param name="syntax">The statement, when it is grammatical.</param>
    /// <param name="failure">The messages, when it is not.</param>
    /// <returns>True when the text is one grammatical statement.</returns>
    public static bool TryParse(
        IReadOnlyList<Token> tokens,
        [NotNullWhen(true)] out StatementSyntax? syntax,
        [NotNullWhen(false)] out ParseFailure? failure)
    {
        var parser = new Parser(tokens);
        syntax = parser.ParseStatement();
        failure = syntax is null
            ? parser._failure ?? throw new InvalidOperationException("The parser failed without saying why.")
            : null;
        return syntax is not null;
    }

    private StatementSyntax? ParseStatement()
    {
        SkipSemicolons();
        var first = Current;
        StatementSyntax? syntax;
        if (first.Kind == TokenKind.EndOfInput)
        {
            _ = Fail(SqlMessages.EmptyStatement(), first.Position);
            return null;
        }

        if (first.IsWord("BACKUP"))
        {
            syntax = ParseBackup();
        }
        else if (first.IsWord("RESTORE"))
        {
            syntax = ParseRestore();
        }
        else
        {
            // SELECT, CREATE and the like are T-SQL, just not for this engine; anything else is not a statement.
            _ = first.IsReservedKeyword ? FailUnsupported(first) : FailNear(first);
            return null;
        }

        if (syntax is null)
        {
            return null;
        }

        SkipSemicolons();
        if (Current.Kind != TokenKind.EndOfInput)
        {
            _ = FailNear(Current);
            return null;
        }

        return syntax with { Variables = _variables };
    }

    private StatementSyntax? ParseBackup()
    {
        var start = Current;
        Advance();
        StatementKind kind;
        if (Current.IsWord("DATABASE"))
        {
            kind = StatementKind.BackupDatabase;
        }
        else if (Current.IsWord("LOG"))
        {
            kind = StatementKind.BackupLog;
        }
        else
        {
            _ = IsWordIn(Current, s_otherBackupTargets) ? FailUnsupported("BACKUP", Current) : FailNear(Current);
            return null;
        }

        Advance();
        if (!TryParseDatabaseName(out var database) || !RefuseFileList())
        {
            return null;
        }

        if (!Current.IsWord("TO"))
        {
            _ = FailNear(Current);
            return null;
        }

        Advance();
        if (!TryParseDevices(out var devices))
        {
            return null;
        }

        if (Current.IsWord("MIRROR"))
        {
            _ = Fail(SqlMessages.NotSupportedByEngine("MIRROR TO"), Current.Position);
            return null;
        }

        if (!TryParseWithClause("BACKUP", out var options))
        {
            return null;
        }

        return new StatementSyntax(kind, start) { DatabaseName = database, Devices = devices, Options = options };
    }

    private StatementSyntax? ParseRestore()
    {
        var start = Current;
        Advance();
        var kind = Current switch
        {
            var t when t.IsWord("DATABASE") => StatementKind.RestoreDatabase,
            var t when t.IsWord("LOG") => StatementKind.RestoreLog,
            var t when t.IsWord("VERIFYONLY") => StatementKind.RestoreVerifyOnly,
            var t when t.IsWord("HEADERONLY") => StatementKind.RestoreHeaderOnly,
            var t when t.IsWord("FILELISTONLY") => StatementKind.RestoreFileListOnly,
            var t when t.IsWord("LABELONLY") => StatementKind.RestoreLabelOnly,
            _ => StatementKind.None,
        };
        if (kind == StatementKind.None)
        {
            _ = IsWordIn(Current, s_otherRestoreTargets) ? FailUnsupported("RESTORE", Current) : FailNear(Current);
            return null;
        }

        Advance();
        Token? database = null;
        IReadOnlyList<DeviceSyntax> devices = [];
        if (kind is StatementKind.RestoreDatabase or StatementKind.RestoreLog)
        {
            if (!TryParseDatabaseName(out var name) || !RefuseFileList())
            {
                return null;
            }

            database = name;

            // SQL Server allows RESTORE DATABASE without FROM (recovery only); the binder answers 3207 for it.
            if (Current.IsWord("FROM"))
            {
                Advance();
                if (Current.IsWord("DATABASE_SNAPSHOT"))
                {
                    _ = FailUnsupported(Current);
                    return null;
                }

                if (!TryParseDevices(out var list))
                {
                    return null;
                }

                devices = list;
            }
        }
        else
        {
            if (!Current.IsWord("FROM"))
            {
                _ = FailNear(Current);
                return null;
            }

            Advance();
            if (!TryParseDevices(out var list))
            {
                return null;
            }

            devices = list;
        }

        if (!TryParseWithClause("RESTORE", out var options))
        {
            return null;
        }

        return new StatementSyntax(kind, start) { DatabaseName = database, Devices = devices, Options = options };
    }

    private bool TryParseDatabaseName(out Token name)
    {
        name = Current;
        switch (name.Kind)
        {
            case TokenKind.Variable:
                _variables.Add(name);
                break;
            case TokenKind.Identifier when !name.IsReservedKeyword:
                break;
            case TokenKind.DelimitedIdentifier when name.Value.Length == 0:
                return Fail(SqlMessages.ObjectNameMissingOrEmpty(), name.Position);
            case TokenKind.DelimitedIdentifier:
                break;
            default:
                return FailNear(name);
        }

        Advance();
        return true;
    }

    // File, filegroup and page lists (BACKUP DATABASE db FILE = …) are SQL Server forms the engine does not run.
    private bool RefuseFileList() => !IsWordIn(Current, s_fileListWords) || FailUnsupported(Current);

    private bool TryParseDevices(out IReadOnlyList<DeviceSyntax> devices)
    {
        var list = new List<DeviceSyntax>();
        devices = list;
        do
        {
            if (!TryParseDevice(out var device))
            {
                return false;
            }

            list.Add(device);
        }
        while (TryAccept(','));

        return true;
    }

    private bool TryParseDevice([NotNullWhen(true)] out DeviceSyntax? device)
    {
        device = null;
        var start = Current;
        if (start.IsWord("VIRTUAL_DEVICE"))
        {
            Advance();
            if (!Expect('='))
            {
                return false;
            }

            var name = Current;
            if (name.Kind == TokenKind.Variable)
            {
                _variables.Add(name);
            }
            else if (name.Kind != TokenKind.StringLiteral)
            {
                return FailNear(name);
            }

            Advance();
            device = new DeviceSyntax(start, name, IsVirtualDevice: true);
            return true;
        }

        if (IsWordIn(start, s_otherDeviceTypes))
        {
            return FailUnsupported(start);
        }

        // A name alone is a logical device made with sp_addumpdevice; the binder answers 3206 for it.
        if (start.Kind is TokenKind.DelimitedIdentifier or TokenKind.Variable
            || (start.Kind == TokenKind.Identifier && !start.IsReservedKeyword))
        {
            if (start.Kind == TokenKind.Variable)
            {
                _variables.Add(start);
            }

            Advance();
            device = new DeviceSyntax(start, start, IsVirtualDevice: false);
            return true;
        }

        return FailNear(start);
    }

    private bool TryParseWithClause(string verb, out IReadOnlyList<OptionSyntax> options)
    {
        var list = new List<OptionSyntax>();
        options = list;
        if (!Current.IsWord("WITH"))
        {
            return true;
        }

        Advance();
        do
        {
            if (!TryParseOption(verb, out var option))
            {
                return false;
            }

            list.Add(option);
        }
        while (TryAccept(','));

        return true;
    }

    private bool TryParseOption(string verb, [NotNullWhen(true)] out OptionSyntax? option)
    {
        option = null;
        var word = Current;

        // Option words are looked up before the reserved-word check: FILE is reserved and still an option.
        if (word.Kind != TokenKind.Identifier || !OptionTable.TryGet(word.Text, out var definition))
        {
            return word.Kind == TokenKind.Identifier && !word.IsReservedKeyword
                ? Fail(SqlMessages.NotARecognizedOption(word.Text, verb, withValue: Next.IsPunctuation('=')), word.Position)
                : FailNear(word);
        }

        Advance();
        option = new OptionSyntax(definition, word);
        switch (definition.Shape)
        {
            case OptionShape.Flag:
                return true;

            case OptionShape.OptionalInteger when !Current.IsPunctuation('='):
                return true;

            case OptionShape.Integer:
            case OptionShape.OptionalInteger:
                if (!Expect('=') || !TryParseInteger(out var value, out var negative))
                {
                    return false;
                }

                option = option with { Value = value, Negative = negative };
                return true;

            case OptionShape.Text:
                if (!Expect('=') || !TryParseText(out var text))
                {
                    return false;
                }

                option = option with { Value = text };
                return true;

            case OptionShape.Move:
                if (!TryParseText(out var logical))
                {
                    return false;
                }

                if (!Current.IsWord("TO"))
                {
                    return FailNear(Current);
                }

                Advance();
                if (!TryParseText(out var physical))
                {
                    return false;
                }

                option = option with { Value = logical, MoveTarget = physical };
                return true;

            default:
                return SkipOtherOptionValue();
        }
    }

    // An optional sign, then an integer literal or a variable (which the binder refuses with 137).
    private bool TryParseInteger(out Token value, out bool negative)
    {
        negative = Current.IsPunctuation('-');
        var signed = negative || Current.IsPunctuation('+');
        if (signed)
        {
            Advance();
        }

        value = Current;
        if (value.Kind == TokenKind.Variable && !signed)
        {
            _variables.Add(value);
        }
        else if (value.Kind != TokenKind.IntegerLiteral)
        {
            return FailNear(value);
        }

        Advance();
        return true;
    }

    private bool TryParseText(out Token value)
    {
        value = Current;
        if (value.Kind == TokenKind.Variable)
        {
            _variables.Add(value);
        }
        else if (value.Kind != TokenKind.StringLiteral)
        {
            return FailNear(value);
        }

        Advance();
        return true;
    }

    // SQL Server's own options take '= value', '= value AFTER value' (STOPATMARK) or '( … )'
    // (ENCRYPTION, FILESTREAM). Reading that far lets the binder answer 3032 instead of a syntax error.
    private bool SkipOtherOptionValue()
    {
        if (Current.IsPunctuation('('))
        {
            var depth = 0;
            do
            {
                if (Current.Kind is TokenKind.EndOfInput or TokenKind.LexicalError)
                {
                    return FailNear(Current);
                }

                depth += Current.IsPunctuation('(') ? 1 : Current.IsPunctuation(')') ? -1 : 0;
                Advance();
            }
            while (depth > 0);

            return true;
        }

        if (!TryAccept('='))
        {
            return true;
        }

        if (!SkipSimpleValue())
        {
            return false;
        }

        if (Current.IsWord("AFTER"))
        {
            Advance();
            return SkipSimpleValue();
        }

        return true;
    }

    private bool SkipSimpleValue()
    {
        if (Current.IsPunctuation('-') || Current.IsPunctuation('+'))
        {
            Advance();
        }

        var value = Current;
        switch (value.Kind)
        {
            case TokenKind.Variable:
                _variables.Add(value);
                break;
            case TokenKind.StringLiteral or TokenKind.IntegerLiteral or TokenKind.OtherNumber or TokenKind.DelimitedIdentifier:
                break;
            case TokenKind.Identifier when !value.IsReservedKeyword:
                break;
            default:
                return FailNear(value);
        }

        Advance();
        return true;
    }

    private void Advance()
    {
        // The last token (end of input or a lexical error) is never passed.
        if (_position < _tokens.Count - 1)
        {
            _position++;
        }
    }

    private bool TryAccept(char punctuation)
    {
        if (!Current.IsPunctuation(punctuation))
        {
            return false;
        }

        Advance();
        return true;
    }

    private bool Expect(char punctuation) => TryAccept(punctuation) || FailNear(Current);

    private void SkipSemicolons()
    {
        while (TryAccept(';'))
        {
        }
    }

    private static bool IsWordIn(Token token, FrozenSet<string> words) =>
        token.Kind == TokenKind.Identifier && words.Contains(token.Text);

    /// <summary>
    /// Fails with what SQL Server says of an unexpected token: the lexical error if the token is one;
    /// 102 near the last token when the text ran out (SQL Server says 102 there even for a keyword);
    /// 156 for a reserved keyword; 102 for anything else.
    /// </summary>
    private bool FailNear(Token token)
    {
        switch (token.Kind)
        {
            case TokenKind.LexicalError:
                _failure = new ParseFailure(token.Errors ?? [], token.Position);
                return false;

            case TokenKind.EndOfInput when _position == 0:
                return Fail(SqlMessages.EmptyStatement(), token.Position);

            case TokenKind.EndOfInput:
                var last = _tokens[_position - 1];
                return Fail(SqlMessages.IncorrectSyntax(last.NearText), last.Position);

            default:
                return Fail(
                    token.IsReservedKeyword ? SqlMessages.IncorrectSyntaxNearKeyword(token.Text) : SqlMessages.IncorrectSyntax(token.NearText),
                    token.Position);
        }
    }

    private bool FailUnsupported(Token word) => Fail(SqlMessages.NotSupportedByEngine(word.Text.ToUpperInvariant()), word.Position);

    private bool FailUnsupported(string verb, Token word) =>
        Fail(SqlMessages.NotSupportedByEngine($"{verb} {word.Text.ToUpperInvariant()}"), word.Position);

    private bool Fail(SqlMessage message, SourcePosition position)
    {
        _failure = new ParseFailure([message with { LineNumber = position.Line }], position);
        return false;
    }
}
