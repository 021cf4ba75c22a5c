namespace OpenVdi.Engine.Execution;

/// <summary>The SQL Server data types the engine's result sets use (<see cref="SqlColumnType"/>).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "These are SQL Server's own type names.")]
public enum SqlColumnKind
{
    /// <summary><c>nvarchar(n)</c>: UTF-16 text.</summary>
    NVarChar,

    /// <summary><c>char(n)</c>: single-byte text.</summary>
    Char,

    /// <summary><c>varbinary(n)</c>.</summary>
    VarBinary,

    /// <summary><c>tinyint</c>: 0 to 255.</summary>
    TinyInt,

    /// <summary><c>smallint</c>: 16 bits.</summary>
    SmallInt,

    /// <summary><c>int</c>: 32 bits.</summary>
    Int,

    /// <summary><c>bigint</c>: 64 bits.</summary>
    BigInt,

    /// <summary><c>bit</c>: 0 or 1.</summary>
    Bit,

    /// <summary><c>numeric(p,s)</c>: exact decimal.</summary>
    Numeric,

    /// <summary><c>float</c>: 8-byte floating point.</summary>
    Float,

    /// <summary><c>datetime</c>: 1753 to 9999, to 1/300 s.</summary>
    DateTime,

    /// <summary><c>uniqueidentifier</c>: a GUID.</summary>
    UniqueIdentifier,
}
