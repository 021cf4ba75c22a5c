using System.Globalization;

namespace OpenVdi.Engine.Execution;

/// <summary>
/// A result-set column's SQL Server data type, as SQL Server declares it to its clients (<c>nvarchar(128)</c>,
/// <c>smallint</c>, <c>numeric(20,0)</c> …). A TDS client reads each value back as that type's .NET type.
/// </summary>
/// <param name="Kind">The type.</param>
/// <param name="Length">For character and binary types, the length in characters or bytes; 0 otherwise.</param>
/// <param name="Precision">For <see cref="SqlColumnKind.Numeric"/>, the digits in all (1 to 38).</param>
/// <param name="Scale">For <see cref="SqlColumnKind.Numeric"/>, the digits after the point.</param>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "These are SQL Server's own type names.")]
public sealed record SqlColumnType(SqlColumnKind Kind, int Length = 0, byte Precision = 0, byte Scale = 0)
{
    /// <summary><c>nvarchar(<paramref name="length"/>)</c>.</summary>
    public static SqlColumnType NVarChar(int length) => new(SqlColumnKind.NVarChar, length);

    /// <summary><c>char(<paramref name="length"/>)</c>.</summary>
    public static SqlColumnType Char(int length) => new(SqlColumnKind.Char, length);

    /// <summary><c>varbinary(<paramref name="length"/>)</c>.</summary>
    public static SqlColumnType VarBinary(int length) => new(SqlColumnKind.VarBinary, length);

    /// <summary><c>numeric(<paramref name="precision"/>,<paramref name="scale"/>)</c>.</summary>
    public static SqlColumnType Numeric(byte precision, byte scale) => new(SqlColumnKind.Numeric, 0, precision, scale);

    /// <summary><c>tinyint</c>.</summary>
    public static SqlColumnType TinyInt { get; } = new(SqlColumnKind.TinyInt);

    /// <summary><c>smallint</c>.</summary>
    public static SqlColumnType SmallInt { get; } = new(SqlColumnKind.SmallInt);

    /// <summary><c>int</c>.</summary>
    public static SqlColumnType Int { get; } = new(SqlColumnKind.Int);

    /// <summary><c>bigint</c>.</summary>
    public static SqlColumnType BigInt { get; } = new(SqlColumnKind.BigInt);

    /// <summary><c>bit</c>.</summary>
    public static SqlColumnType Bit { get; } = new(SqlColumnKind.Bit);

    /// <summary><c>float</c> (8 bytes).</summary>
    public static SqlColumnType Float { get; } = new(SqlColumnKind.Float);

    /// <summary><c>datetime</c>.</summary>
    public static SqlColumnType DateTime { get; } = new(SqlColumnKind.DateTime);

    /// <summary><c>uniqueidentifier</c>.</summary>
    public static SqlColumnType UniqueIdentifier { get; } = new(SqlColumnKind.UniqueIdentifier);

    /// <summary>The type as T-SQL writes it, e.g. <c>nvarchar(128)</c>.</summary>
    public override string ToString() => Kind switch
    {
        SqlColumnKind.NVarChar => string.Create(CultureInfo.InvariantCulture, $"nvarchar({Length})"),
        SqlColumnKind.Char => string.Create(CultureInfo.InvariantCulture, $"char({Length})"),
        SqlColumnKind.VarBinary => string.Create(CultureInfo.InvariantCulture, $"varbinary({Length})"),
        SqlColumnKind.Numeric => string.Create(CultureInfo.InvariantCulture, $"numeric({Precision},{Scale})"),
        SqlColumnKind.UniqueIdentifier => "uniqueidentifier",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// The type a column of .NET values would have when nothing declares one: <c>nvarchar(4000)</c> for text and
    /// for anything without a SQL Server counterpart.
    /// </summary>
    /// <param name="rows">The rows.</param>
    /// <param name="column">The column's index.</param>
    public static SqlColumnType Infer(IReadOnlyList<IReadOnlyList<object?>> rows, int column)
    {
        ArgumentNullException.ThrowIfNull(rows);
        SqlColumnType? common = null;
        foreach (var row in rows)
        {
            if (column >= row.Count || row[column] is not { } value)
            {
                continue;
            }

            var type = value switch
            {
                bool => Bit,
                byte => TinyInt,
                short => SmallInt,
                int => Int,
                long => BigInt,
                decimal => Numeric(38, 10),
                double or float => Float,
                System.DateTime or DateTimeOffset => DateTime,
                Guid => UniqueIdentifier,
                byte[] => VarBinary(8000),
                _ => NVarChar(4000),
            };
            if (common is not null && common != type)
            {
                return NVarChar(4000);
            }

            common = type;
        }

        return common ?? NVarChar(4000);
    }
}
