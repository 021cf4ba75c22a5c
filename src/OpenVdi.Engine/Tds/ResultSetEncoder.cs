using System.Globalization;
using System.Numerics;
using System.Text;
using OpenVdi.Engine.Execution;

namespace OpenVdi.Engine.Tds;

/// <summary>
/// A result set as COLMETADATA and ROW tokens (MS-TDS 2.2.7.4, 2.2.7.19), each column in the SQL Server type the
/// result set declares (<see cref="ResultSet.TypeOf"/>): nullable columns of INTN, BITN, NUMERICN, FLTN, DATETIMN,
/// GUID, NVARCHAR, BIGCHAR or BIGVARBINARY.
/// </summary>
internal static class ResultSetEncoder
{
    private const ushort NullableFlag = 0x0001;
    private const ushort NullLength = 0xFFFF;
    private const int MaxCharacters = 4000;
    private const int MaxBinaryBytes = 8000;
    private static readonly DateTime s_datetimeEpoch = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

    /// <summary>Writes the result set's COLMETADATA and one ROW per row.</summary>
    /// <exception cref="InvalidCastException">A value does not convert to its column's type (an engine bug).</exception>
    /// <exception cref="OverflowException">A value is out of its column's range (an engine bug).</exception>
    public static void Write(TdsTokenBuffer buffer, ResultSet resultSet)
    {
        var types = Enumerable.Range(0, resultSet.Columns.Count).Select(resultSet.TypeOf).ToArray();
        buffer.Byte((byte)TdsTokenType.ColumnMetadata);
        buffer.UInt16((ushort)types.Length);
        for (int i = 0; i < types.Length; i++)
        {
            buffer.UInt32(0); // user type
            buffer.UInt16(NullableFlag);
            WriteTypeInfo(buffer, types[i]);
            buffer.BVarChar(resultSet.Columns[i]);
        }

        foreach (var row in resultSet.Rows)
        {
            buffer.Byte((byte)TdsTokenType.Row);
            for (int i = 0; i < types.Length; i++)
            {
                WriteValue(buffer, types[i], i < row.Count ? row[i] : null);
            }
        }
    }

    private static void WriteTypeInfo(TdsTokenBuffer buffer, SqlColumnType type)
    {
        switch (type.Kind)
        {
            case SqlColumnKind.NVarChar:
                buffer.Byte(TdsDataType.NVarChar);
                buffer.UInt16((ushort)(Math.Clamp(type.Length, 1, MaxCharacters) * 2));
                buffer.Bytes(TdsProtocol.Collation);
                break;
            case SqlColumnKind.Char:
                buffer.Byte(TdsDataType.BigChar);
                buffer.UInt16((ushort)Math.Clamp(type.Length, 1, MaxBinaryBytes));
                buffer.Bytes(TdsProtocol.Collation);
                break;
            case SqlColumnKind.VarBinary:
                buffer.Byte(TdsDataType.BigVarBinary);
                buffer.UInt16((ushort)Math.Clamp(type.Length, 1, MaxBinaryBytes));
                break;
            case SqlColumnKind.Numeric:
                buffer.Byte(TdsDataType.NumericN);
                buffer.Byte(NumericLength(type.Precision));
                buffer.Byte(type.Precision);
                buffer.Byte(type.Scale);
                break;
            case SqlColumnKind.Bit:
                buffer.Byte(TdsDataType.BitN);
                buffer.Byte(1);
                break;
            case SqlColumnKind.Float:
                buffer.Byte(TdsDataType.FloatN);
                buffer.Byte(8);
                break;
            case SqlColumnKind.DateTime:
                buffer.Byte(TdsDataType.DateTimeN);
                buffer.Byte(8);
                break;
            case SqlColumnKind.UniqueIdentifier:
                buffer.Byte(TdsDataType.Guid);
                buffer.Byte(16);
                break;
            default:
                buffer.Byte(TdsDataType.IntN);
                buffer.Byte(IntegerLength(type.Kind));
                break;
        }
    }

    private static void WriteValue(TdsTokenBuffer buffer, SqlColumnType type, object? value)
    {
        bool shortLength = type.Kind is SqlColumnKind.NVarChar or SqlColumnKind.Char or SqlColumnKind.VarBinary;
        if (value is null or DBNull)
        {
            if (shortLength)
            {
                buffer.UInt16(NullLength);
            }
            else
            {
                buffer.Byte(0);
            }

            return;
        }

        switch (type.Kind)
        {
            case SqlColumnKind.NVarChar:
                string text = Text(value);
                text = text.Length > MaxCharacters ? text[..MaxCharacters] : text;
                buffer.UInt16((ushort)(text.Length * 2));
                buffer.Unicode(text);
                break;
            case SqlColumnKind.Char:
                // The collation's code page is 1252; Latin-1 agrees with it on every character the engine writes (D, L, letters).
                byte[] single = Encoding.Latin1.GetBytes(Text(value));
                buffer.UInt16((ushort)Math.Min(single.Length, MaxBinaryBytes));
                buffer.Bytes(single.AsSpan(0, Math.Min(single.Length, MaxBinaryBytes)));
                break;
            case SqlColumnKind.VarBinary:
                byte[] bytes = (byte[])value;
                buffer.UInt16((ushort)Math.Min(bytes.Length, MaxBinaryBytes));
                buffer.Bytes(bytes.AsSpan(0, Math.Min(bytes.Length, MaxBinaryBytes)));
                break;
            case SqlColumnKind.Numeric:
                WriteNumeric(buffer, type, Convert.ToDecimal(value, CultureInfo.InvariantCulture));
                break;
            case SqlColumnKind.Bit:
                buffer.Byte(1);
                buffer.Byte(Convert.ToBoolean(value, CultureInfo.InvariantCulture) ? (byte)1 : (byte)0);
                break;
            case SqlColumnKind.Float:
                buffer.Byte(8);
                buffer.Int64(BitConverter.DoubleToInt64Bits(Convert.ToDouble(value, CultureInfo.InvariantCulture)));
                break;
            case SqlColumnKind.DateTime:
                WriteDateTime(buffer, value is DateTimeOffset offset ? offset.UtcDateTime : Convert.ToDateTime(value, CultureInfo.InvariantCulture));
                break;
            case SqlColumnKind.UniqueIdentifier:
                buffer.Byte(16);
                buffer.Bytes((value is Guid id ? id : Guid.Parse(Text(value))).ToByteArray());
                break;
            default:
                WriteInteger(buffer, type.Kind, Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static string Text(object value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;

    private static byte IntegerLength(SqlColumnKind kind) => kind switch
    {
        SqlColumnKind.TinyInt => 1,
        SqlColumnKind.SmallInt => 2,
        SqlColumnKind.Int => 4,
        _ => 8,
    };

    private static void WriteInteger(TdsTokenBuffer buffer, SqlColumnKind kind, long value)
    {
        byte length = IntegerLength(kind);
        buffer.Byte(length);
        switch (length)
        {
            case 1: buffer.Byte(checked((byte)value)); break;
            case 2: buffer.UInt16(unchecked((ushort)checked((short)value))); break;
            case 4: buffer.Int32(checked((int)value)); break;
            default: buffer.Int64(value); break;
        }
    }

    /// <summary>The bytes a NUMERICN value takes: the sign byte and 4, 8, 12 or 16 bytes of magnitude by precision.</summary>
    private static byte NumericLength(byte precision) => precision switch
    {
        <= 9 => 5,
        <= 19 => 9,
        <= 28 => 13,
        _ => 17,
    };

    private static void WriteNumeric(TdsTokenBuffer buffer, SqlColumnType type, decimal value)
    {
        decimal scaled = decimal.Round(value, type.Scale, MidpointRounding.AwayFromZero);
        var magnitude = BigInteger.Abs(new BigInteger(scaled * Pow10(type.Scale)));
        byte length = NumericLength(type.Precision);
        var digits = new byte[length - 1];
        if (!magnitude.TryWriteBytes(digits, out _, isUnsigned: true, isBigEndian: false))
        {
            throw new OverflowException($"{value} does not fit numeric({type.Precision},{type.Scale}).");
        }

        buffer.Byte(length);
        buffer.Byte(value < 0 ? (byte)0 : (byte)1);
        buffer.Bytes(digits);
    }

    private static decimal Pow10(int exponent)
    {
        decimal result = 1;
        for (int i = 0; i < exponent; i++)
        {
            result *= 10;
        }

        return result;
    }

    /// <summary>DATETIME: days since 1900-01-01, then three-hundredths of a second since midnight.</summary>
    private static void WriteDateTime(TdsTokenBuffer buffer, DateTime value)
    {
        var time = value.TimeOfDay;
        long ticks = (long)Math.Round(time.Ticks * 300.0 / TimeSpan.TicksPerSecond);
        int days = (value.Date - s_datetimeEpoch).Days;
        if (ticks >= 300L * 86400)
        {
            // Rounding reached midnight: the next day's first tick.
            ticks = 0;
            days++;
        }

        buffer.Byte(8);
        buffer.Int32(days);
        buffer.UInt32((uint)ticks);
    }
}
