using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace OpenVdi.Engine.Tds;

/// <summary>
/// Reads an RPC parameter's TYPE_INFO and value (MS-TDS 2.2.5.4, 2.2.5.5) into a .NET value: integers, bit, floats,
/// money, decimal and numeric, date and time types, GUID, character and binary types including (max) ones sent as
/// PLP chunks. XML, CLR types, sql_variant and table-valued parameters are refused.
/// </summary>
internal static class TdsParameterValueReader
{
    private const ulong PlpNull = ulong.MaxValue;
    private const int ScaleTicks = 7;
    private static readonly DateTime s_datetimeEpoch = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

    /// <summary>Reads TYPE_INFO then the value.</summary>
    /// <returns>The value (null for SQL NULL).</returns>
    /// <exception cref="TdsProtocolException">The type or value runs past the message.</exception>
    /// <exception cref="NotSupportedException">A type the engine does not read; the message names it.</exception>
    public static object? Read(TdsPayloadReader reader)
    {
        byte type = reader.Byte();
        switch (type)
        {
            case TdsDataType.Null: return null;
            case TdsDataType.Int1: return (long)reader.Byte();
            case TdsDataType.Bit: return reader.Byte() != 0;
            case TdsDataType.Int2: return (long)(short)reader.UInt16();
            case TdsDataType.Int4: return (long)reader.Int32();
            case TdsDataType.Int8: return (long)reader.UInt64();
            case TdsDataType.Float4: return (double)BitConverter.Int32BitsToSingle(reader.Int32());
            case TdsDataType.Float8: return BitConverter.Int64BitsToDouble((long)reader.UInt64());
            case TdsDataType.Money4: return reader.Int32() / 10000m;
            case TdsDataType.Money: return Money(reader);
            case TdsDataType.DateTime4: return SmallDateTime(reader);
            case TdsDataType.DateTime: return DateTime(reader);
            case TdsDataType.Guid or TdsDataType.IntN or TdsDataType.BitN or TdsDataType.FloatN or TdsDataType.MoneyN or TdsDataType.DateTimeN:
                reader.Byte(); // the type's maximum length: the value carries its own
                return ByteLengthValue(type, reader);
            case TdsDataType.DecimalN or TdsDataType.NumericN:
                reader.Byte();
                reader.Byte(); // precision
                return Numeric(reader, reader.Byte());
            case TdsDataType.DateN:
                return reader.Byte() == 0 ? null : Date(reader);
            case TdsDataType.TimeN or TdsDataType.DateTime2N or TdsDataType.DateTimeOffsetN:
                return TimeValue(type, reader.Byte(), reader);
            case TdsDataType.BigVarBinary or TdsDataType.BigBinary:
                return ShortLengthValue(reader, reader.UInt16(), bytes => bytes);
            case TdsDataType.BigVarChar or TdsDataType.BigChar:
                return ShortLengthValue(reader, CollatedLength(reader), bytes => Encoding.Latin1.GetString(bytes));
            case TdsDataType.NVarChar or TdsDataType.NChar:
                return ShortLengthValue(reader, CollatedLength(reader), bytes => Encoding.Unicode.GetString(bytes));
            case TdsDataType.Text or TdsDataType.NText or TdsDataType.Image:
                reader.Int32();
                if (type != TdsDataType.Image)
                {
                    reader.Skip(TdsProtocol.Collation.Length);
                }

                int length = reader.Int32();
                if (length < 0)
                {
                    return null;
                }

                var data = reader.Bytes(length).ToArray();
                return type switch
                {
                    TdsDataType.Image => data,
                    TdsDataType.NText => Encoding.Unicode.GetString(data),
                    _ => Encoding.Latin1.GetString(data),
                };
            default:
                throw new NotSupportedException(string.Create(CultureInfo.InvariantCulture, $"a parameter of TDS type 0x{type:X2} (XML, CLR types, sql_variant and table-valued parameters are not read)"));
        }
    }

    private static ushort CollatedLength(TdsPayloadReader reader)
    {
        ushort max = reader.UInt16();
        reader.Skip(TdsProtocol.Collation.Length);
        return max;
    }

    private static object? ShortLengthValue(TdsPayloadReader reader, ushort maxLength, Func<byte[], object> convert)
    {
        if (maxLength == TdsDataType.MaxLength)
        {
            return Plp(reader) is { } plp ? convert(plp) : null;
        }

        ushort length = reader.UInt16();
        return length == 0xFFFF ? null : convert(reader.Bytes(length).ToArray());
    }

    /// <summary>PLP: a total length (all ones for NULL), then chunks of a 4-byte length and data, ended by a chunk of 0.</summary>
    private static byte[]? Plp(TdsPayloadReader reader)
    {
        if (reader.UInt64() == PlpNull)
        {
            return null;
        }

        var bytes = new MemoryStream();
        while (reader.UInt32() is var chunk and > 0)
        {
            if (chunk > reader.Remaining)
            {
                throw new TdsProtocolException("A PLP chunk runs past the end of its message.");
            }

            bytes.Write(reader.Bytes((int)chunk));
        }

        return bytes.ToArray();
    }

    private static object? ByteLengthValue(byte type, TdsPayloadReader reader)
    {
        byte length = reader.Byte();
        if (length == 0)
        {
            return null;
        }

        return (type, length) switch
        {
            (TdsDataType.Guid, 16) => new Guid(reader.Bytes(16)),
            (TdsDataType.IntN, 1) => (long)reader.Byte(),
            (TdsDataType.IntN, 2) => (long)(short)reader.UInt16(),
            (TdsDataType.IntN, 4) => (long)reader.Int32(),
            (TdsDataType.IntN, 8) => (long)reader.UInt64(),
            (TdsDataType.BitN, 1) => reader.Byte() != 0,
            (TdsDataType.FloatN, 4) => (double)BitConverter.Int32BitsToSingle(reader.Int32()),
            (TdsDataType.FloatN, 8) => BitConverter.Int64BitsToDouble((long)reader.UInt64()),
            (TdsDataType.MoneyN, 4) => reader.Int32() / 10000m,
            (TdsDataType.MoneyN, 8) => Money(reader),
            (TdsDataType.DateTimeN, 4) => SmallDateTime(reader),
            (TdsDataType.DateTimeN, 8) => DateTime(reader),
            _ => throw new TdsProtocolException(string.Create(CultureInfo.InvariantCulture, $"A value of type 0x{type:X2} has the impossible length {length}.")),
        };
    }

    private static decimal Money(TdsPayloadReader reader)
    {
        long high = reader.Int32();
        long low = reader.UInt32();
        return ((high << 32) | low) / 10000m;
    }

    private static DateTime SmallDateTime(TdsPayloadReader reader)
    {
        ushort days = reader.UInt16();
        ushort minutes = reader.UInt16();
        return s_datetimeEpoch.AddDays(days).AddMinutes(minutes);
    }

    private static DateTime DateTime(TdsPayloadReader reader)
    {
        int days = reader.Int32();
        uint ticks300 = reader.UInt32();
        return s_datetimeEpoch.AddDays(days).AddTicks((long)Math.Round(ticks300 * (TimeSpan.TicksPerSecond / 300.0)));
    }

    private static decimal? Numeric(TdsPayloadReader reader, byte scale)
    {
        byte length = reader.Byte();
        if (length == 0)
        {
            return null;
        }

        if (length < 2 || length > 17 || scale > 28)
        {
            throw new TdsProtocolException("A decimal value has an impossible length or scale.");
        }

        bool positive = reader.Byte() == 1;
        var magnitude = new BigInteger(reader.Bytes(length - 1), isUnsigned: true, isBigEndian: false);
        decimal value = (decimal)magnitude;
        for (int i = 0; i < scale; i++)
        {
            value /= 10;
        }

        return positive ? value : -value;
    }

    private static DateTime Date(TdsPayloadReader reader)
    {
        var b = reader.Bytes(3);
        int days = b[0] | (b[1] << 8) | (b[2] << 16);
        return System.DateTime.MinValue.AddDays(days);
    }

    private static object? TimeValue(byte type, byte scale, TdsPayloadReader reader)
    {
        if (scale > ScaleTicks)
        {
            throw new TdsProtocolException("A time value has a scale above 7.");
        }

        byte length = reader.Byte();
        if (length == 0)
        {
            return null;
        }

        int timeBytes = scale <= 2 ? 3 : scale <= 4 ? 4 : 5;
        Span<byte> raw = stackalloc byte[8];
        reader.Bytes(timeBytes).CopyTo(raw);
        long units = BinaryPrimitives.ReadInt64LittleEndian(raw);
        long ticks = units;
        for (int i = scale; i < ScaleTicks; i++)
        {
            ticks *= 10;
        }

        var time = TimeSpan.FromTicks(ticks);
        if (type == TdsDataType.TimeN)
        {
            return time;
        }

        var moment = Date(reader).Add(time);
        if (type == TdsDataType.DateTime2N)
        {
            return moment;
        }

        short offset = (short)reader.UInt16();
        return new DateTimeOffset(moment.Ticks, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(offset));
    }
}
