using System.Collections.Frozen;
using System.Text;
using OpenVdi.Engine.Statements;

namespace OpenVdi.Engine.Tds;

/// <summary>
/// A batch as the session sees it: the session statements it opens with (<c>SET option …</c>, which clients send
/// when they connect, and <c>USE database</c>), then the statement for the engine, if any. SET options are accepted
/// and have no effect: the engine's statements do not depend on them. The engine's part keeps its place in the text
/// (what came before is blanked, line breaks kept), so its messages give the batch's own line numbers.
/// </summary>
internal sealed class SessionBatch
{
    // Words that begin a statement: a SET's option list ends before one.
    private static readonly FrozenSet<string> s_statementStarts = new[]
    {
        "ALTER", "BACKUP", "BEGIN", "COMMIT", "CREATE", "DECLARE", "DELETE", "DROP", "EXEC", "EXECUTE", "IF", "INSERT",
        "PRINT", "RAISERROR", "RESTORE", "ROLLBACK", "SELECT", "SET", "UPDATE", "USE", "WAITFOR", "WHILE",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private SessionBatch(IReadOnlyList<string> databases, int settings, string? engineStatement)
    {
        UseDatabases = databases;
        SettingCount = settings;
        EngineStatement = engineStatement;
    }

    /// <summary>The databases of the batch's USE statements, in order.</summary>
    public IReadOnlyList<string> UseDatabases { get; }

    /// <summary>How many SET statements the batch opened with.</summary>
    public int SettingCount { get; }

    /// <summary>The rest of the batch, for the engine; null when the batch held session statements only.</summary>
    public string? EngineStatement { get; }

    /// <summary>Splits <paramref name="text"/> into its leading session statements and the rest.</summary>
    public static SessionBatch Split(string text)
    {
        var tokens = Tokenizer.Tokenize(text);
        var databases = new List<string>();
        int settings = 0;
        int i = 0;
        while (true)
        {
            while (tokens[i].IsPunctuation(';'))
            {
                i++;
            }

            var token = tokens[i];
            if (token.IsWord("SET") && tokens[i + 1].Kind == TokenKind.Identifier)
            {
                // SET option … up to the statement's end: a semicolon, the end, or the next statement's first word.
                i += 2;
                while (tokens[i].Kind is not (TokenKind.EndOfInput or TokenKind.LexicalError)
                    && !tokens[i].IsPunctuation(';')
                    && !(tokens[i].Kind == TokenKind.Identifier && s_statementStarts.Contains(tokens[i].Text)))
                {
                    i++;
                }

                settings++;
            }
            else if (token.IsWord("USE") && tokens[i + 1].Kind is TokenKind.Identifier or TokenKind.DelimitedIdentifier)
            {
                databases.Add(tokens[i + 1].Value);
                i += 2;
            }
            else
            {
                break;
            }
        }

        var rest = tokens[i];
        if (rest.Kind == TokenKind.EndOfInput)
        {
            return new SessionBatch(databases, settings, null);
        }

        return new SessionBatch(databases, settings, Blank(text, rest.Position.Offset));
    }

    /// <summary>The text with its first <paramref name="length"/> characters made spaces, line breaks kept.</summary>
    private static string Blank(string text, int length)
    {
        if (length == 0)
        {
            return text;
        }

        var blanked = new StringBuilder(text.Length);
        foreach (char c in text.AsSpan(0, length))
        {
            blanked.Append(c is '\r' or '\n' ? c : ' ');
        }

        return blanked.Append(text.AsSpan(length)).ToString();
    }
}
