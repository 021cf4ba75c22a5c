using System.Globalization;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Messages;

namespace OpenVdi.Cli.Output;

/// <summary>
/// Prints a statement's messages as they arrive, the way sqlcmd does (information as its text; an error as
/// <c>Msg n, Level l, State s, Line x</c> and its text, on standard error), and result sets as tables, or as one
/// <c>column: value</c> block per row when they are too wide for a table. Quiet, it prints errors and result sets only.
/// </summary>
internal sealed class ConsoleStatementSink : IStatementSink
{
    private const int TableColumnLimit = 6;

    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly string _indent;
    private readonly bool _quiet;
    private readonly Lock _lock = new();

    public ConsoleStatementSink(TextWriter output, TextWriter error, string indent = "", bool quiet = false)
    {
        _output = output;
        _error = error;
        _indent = indent;
        _quiet = quiet;
    }

    public void OnMessage(SqlMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_quiet && !message.IsError)
        {
            return;
        }

        lock (_lock)
        {
            var writer = message.IsError ? _error : _output;
            foreach (string line in message.ToString().Split('\n'))
            {
                writer.WriteLine(_indent + line);
            }
        }
    }

    public void OnResultSet(ResultSet resultSet)
    {
        ArgumentNullException.ThrowIfNull(resultSet);
        lock (_lock)
        {
            if (resultSet.Columns.Count <= TableColumnLimit)
            {
                WriteTable(resultSet);
            }
            else
            {
                WriteBlocks(resultSet);
            }

            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{_indent}({resultSet.Rows.Count} row{(resultSet.Rows.Count == 1 ? string.Empty : "s")})"));
        }
    }

    /// <summary>A value as the tables show it.</summary>
    public static string Show(object? value) => value switch
    {
        null => "NULL",
        DateTime time => time.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
        DateTimeOffset time => time.ToString("yyyy-MM-dd HH:mm:ss.fff zzz", CultureInfo.InvariantCulture),
        byte[] bytes => "0x" + Convert.ToHexString(bytes),
        bool flag => flag ? "1" : "0",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private void WriteTable(ResultSet resultSet)
    {
        var cells = resultSet.Rows.Select(row => resultSet.Columns.Select((_, i) => Show(i < row.Count ? row[i] : null)).ToArray()).ToList();
        var widths = resultSet.Columns.Select((name, i) => Math.Max(name.Length, cells.Count == 0 ? 0 : cells.Max(row => row[i].Length))).ToArray();
        _output.WriteLine(_indent + string.Join("  ", resultSet.Columns.Select((name, i) => name.PadRight(widths[i]))).TrimEnd());
        _output.WriteLine(_indent + string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in cells)
        {
            _output.WriteLine(_indent + string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        }
    }

    private void WriteBlocks(ResultSet resultSet)
    {
        int width = resultSet.Columns.Max(name => name.Length);
        for (int r = 0; r < resultSet.Rows.Count; r++)
        {
            if (r > 0)
            {
                _output.WriteLine();
            }

            var row = resultSet.Rows[r];
            for (int i = 0; i < resultSet.Columns.Count; i++)
            {
                _output.WriteLine($"{_indent}{resultSet.Columns[i].PadRight(width)} : {Show(i < row.Count ? row[i] : null)}");
            }
        }
    }
}
