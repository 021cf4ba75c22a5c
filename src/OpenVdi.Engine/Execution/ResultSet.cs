namespace OpenVdi.Engine.Execution;

/// <summary>Rows with named columns, as RESTORE HEADERONLY / FILELISTONLY / LABELONLY return them.</summary>
/// <param name="Columns">The column names, in order (SQL Server's names).</param>
/// <param name="Rows">The rows; each has one value per column (string, number, date, GUID, bool or null).</param>
public sealed record ResultSet(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows)
{
    /// <summary>
    /// Each column's SQL Server type, as SQL Server documents it for this result set (what a TDS client is told);
    /// null when the result set does not declare them (then <see cref="TypeOf"/> infers them from the values).
    /// </summary>
    public IReadOnlyList<SqlColumnType>? ColumnTypes { get; init; }

    /// <summary>The SQL Server type of column <paramref name="column"/>: declared, or inferred from its values.</summary>
    public SqlColumnType TypeOf(int column) =>
        ColumnTypes is { } types && column < types.Count ? types[column] : SqlColumnType.Infer(Rows, column);

    /// <summary>The value of <paramref name="column"/> in row <paramref name="row"/>.</summary>
    /// <exception cref="ArgumentException">No such column.</exception>
    public object? Value(int row, string column)
    {
        int index = Columns.ToList().IndexOf(column);
        if (index < 0)
        {
            throw new ArgumentException($"No column named {column}.", nameof(column));
        }

        return Rows[row][index];
    }
}
