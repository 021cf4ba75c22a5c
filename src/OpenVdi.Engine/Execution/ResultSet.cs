namespace OpenVdi.Engine.Execution;

/// <summary>Rows with named columns, as RESTORE HEADERONLY / FILELISTONLY / LABELONLY return them.</summary>
/// <param name="Columns">The column names, in order (SQL Server's names).</param>
/// <param name="Rows">The rows; each has one value per column (string, number, date, GUID, bool or null).</param>
public sealed record ResultSet(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows)
{
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
