using System.Globalization;
using System.Text;
using OpenVdi.Engine.Statements;

namespace OpenVdi.Engine.Tds;

/// <summary>
/// sp_executesql's parameters put into its statement: each <c>@name</c> the call gives a value for becomes that
/// value, as SQL Server would bind it. A database name (after DATABASE or LOG) becomes a bracketed name; any other
/// place a literal (<c>N'text'</c>, a number). A variable without a value stays, and the engine answers 137 for it.
/// </summary>
internal static class ParameterSubstitution
{
    /// <summary>The statement with the parameters' values in place of their variables.</summary>
    /// <exception cref="NotSupportedException">A value of a type that has no literal here (a time of day, say).</exception>
    public static string Apply(string statement, IReadOnlyList<(string Name, object? Value)> parameters)
    {
        if (parameters.Count == 0)
        {
            return statement;
        }

        var tokens = Tokenizer.Tokenize(statement);
        var result = new StringBuilder(statement.Length);
        int copied = 0;
        for (int i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Kind != TokenKind.Variable || !TryFind(parameters, token.Text, out object? value))
            {
                continue;
            }

            bool isName = i > 0 && (tokens[i - 1].IsWord("DATABASE") || tokens[i - 1].IsWord("LOG"));
            result.Append(statement, copied, token.Position.Offset - copied);
            result.Append(isName && value is string name ? "[" + name.Replace("]", "]]", StringComparison.Ordinal) + "]" : Literal(value));
            copied = token.Position.Offset + token.Text.Length;
        }

        return result.Append(statement, copied, statement.Length - copied).ToString();
    }

    private static bool TryFind(IReadOnlyList<(string Name, object? Value)> parameters, string variable, out object? value)
    {
        foreach (var (name, candidate) in parameters)
        {
            if (string.Equals(name, variable, StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }

        value = null;
        return false;
    }

    private static string Literal(object? value) => value switch
    {
        null => "NULL",
        string text => "N'" + text.Replace("'", "''", StringComparison.Ordinal) + "'",
        bool flag => flag ? "1" : "0",
        long or int or short or byte or decimal => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        Guid id => "N'" + id.ToString("D") + "'",
        DateTime time => "N'" + time.ToString("yyyy-MM-ddTHH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "'",
        DateTimeOffset time => "N'" + time.ToString("yyyy-MM-ddTHH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture) + "'",
        byte[] bytes => "0x" + Convert.ToHexString(bytes),
        _ => throw new NotSupportedException($"a parameter of type {value.GetType().Name} in a statement"),
    };
}
