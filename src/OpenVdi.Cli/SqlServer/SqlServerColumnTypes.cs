using System.Data.Common;
using OpenVdi.Engine.Execution;

namespace OpenVdi.Cli.SqlServer;

/// <summary>A result set column's SQL Server type, read back from what SqlClient reports of it.</summary>
internal static class SqlServerColumnTypes
{
    /// <summary>The column's type; <c>nvarchar(4000)</c> for a type the engine's result sets do not use.</summary>
    public static SqlColumnType From(DbColumn column)
    {
        ArgumentNullException.ThrowIfNull(column);
        int size = column.ColumnSize ?? 0;
        return column.DataTypeName?.ToLowerInvariant() switch
        {
            "nvarchar" or "nchar" => SqlColumnType.NVarChar(size),
            "char" or "varchar" => SqlColumnType.Char(size),
            "varbinary" or "binary" => SqlColumnType.VarBinary(size),
            "tinyint" => SqlColumnType.TinyInt,
            "smallint" => SqlColumnType.SmallInt,
            "int" => SqlColumnType.Int,
            "bigint" => SqlColumnType.BigInt,
            "bit" => SqlColumnType.Bit,
            "float" => SqlColumnType.Float,
            "datetime" => SqlColumnType.DateTime,
            "uniqueidentifier" => SqlColumnType.UniqueIdentifier,
            "numeric" or "decimal" => SqlColumnType.Numeric((byte)(column.NumericPrecision ?? 38), (byte)(column.NumericScale ?? 0)),
            _ => SqlColumnType.NVarChar(4000),
        };
    }
}
