using System.Globalization;
using System.Text.Json;

namespace OpenVdi.Engine.FrontDoor.Internal;

/// <summary>
/// How a result set's values travel: every column gets one type name, the common type of its non-null values, and
/// each value is written in that type's JSON form so that the client reads back the same .NET type. A column whose
/// values are of different types, or of a type not listed here, travels as <c>string</c> (the invariant-culture
/// text of each value).
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>string</term><description>a JSON string</description></item>
/// <item><term>bool</term><description>true / false</description></item>
/// <item><term>byte, short, int, long</term><description>a JSON number (<see cref="byte"/>, <see cref="short"/>, <see cref="int"/>, <see cref="long"/>)</description></item>
/// <item><term>decimal</term><description>a JSON number read back exactly as <see cref="decimal"/></description></item>
/// <item><term>double, float</term><description>a JSON number; NaN and the infinities as the strings "NaN", "Infinity", "-Infinity"</description></item>
/// <item><term>datetime</term><description>ISO 8601 round-trip text (<c>"O"</c>), which keeps the <see cref="DateTimeKind"/></description></item>
/// <item><term>datetimeoffset</term><description>ISO 8601 round-trip text with the offset</description></item>
/// <item><term>guid</term><description>the 36-character <c>"D"</c> form</description></item>
/// <item><term>binary</term><description>base64 of a <see cref="byte"/> array</description></item>
/// </list>
/// A null value is JSON <c>null</c> in every column type.
/// </remarks>
internal static class ColumnTypes
{
    public const string String = "string";
    public const string Bool = "bool";
    public const string Byte = "byte";
    public const string Short = "short";
    public const string Int = "int";
    public const string Long = "long";
    public const string Decimal = "decimal";
    public const string Double = "double";
    public const string Float = "float";
    public const string DateTime = "datetime";
    public const string DateTimeOffset = "datetimeoffset";
    public const string Guid = "guid";
    public const string Binary = "binary";

    /// <summary>The type name of column <paramref name="column"/>: the common type of its non-null values.</summary>
    public static string Of(IReadOnlyList<IReadOnlyList<object?>> rows, int column)
    {
        string? common = null;
        foreach (var row in rows)
        {
            object? value = column < row.Count ? row[column] : null;
            if (value is null)
            {
                continue;
            }

            string type = NameOf(value);
            if (common is null)
            {
                common = type;
            }
            else if (common != type)
            {
                return String;
            }
        }

        return common ?? String;
    }

    /// <summary>Writes <paramref name="value"/> in the JSON form of <paramref name="type"/>.</summary>
    public static void Write(Utf8JsonWriter writer, object? value, string type)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                return;
            case string text:
                writer.WriteStringValue(text);
                return;
        }

        if (type == String)
        {
            writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
            return;
        }

        switch (value)
        {
            case bool flag: writer.WriteBooleanValue(flag); break;
            case byte number: writer.WriteNumberValue(number); break;
            case short number: writer.WriteNumberValue(number); break;
            case int number: writer.WriteNumberValue(number); break;
            case long number: writer.WriteNumberValue(number); break;
            case decimal number: writer.WriteNumberValue(number); break;
            case double number: WriteReal(writer, number); break;
            case float number: WriteReal(writer, number); break;
            case System.DateTime time: writer.WriteStringValue(time.ToString("O", CultureInfo.InvariantCulture)); break;
            case System.DateTimeOffset time: writer.WriteStringValue(time.ToString("O", CultureInfo.InvariantCulture)); break;
            case System.Guid id: writer.WriteStringValue(id.ToString("D")); break;
            case byte[] bytes: writer.WriteBase64StringValue(bytes); break;
            default: writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }

    /// <summary>Reads a value written by <see cref="Write"/> for a column of type <paramref name="type"/>.</summary>
    /// <exception cref="FrameException">The value does not have the type's JSON form, or the type is unknown.</exception>
    public static object? Read(JsonElement element, string type)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        try
        {
            return type switch
            {
                String => element.GetString(),
                Bool => element.GetBoolean(),
                Byte => element.GetByte(),
                Short => element.GetInt16(),
                Int => element.GetInt32(),
                Long => element.GetInt64(),
                Decimal => element.GetDecimal(),
                Double => ReadReal(element),
                Float => (float)ReadReal(element),
                DateTime => System.DateTime.ParseExact(RequireString(element), "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                DateTimeOffset => System.DateTimeOffset.ParseExact(RequireString(element), "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                Guid => System.Guid.ParseExact(RequireString(element), "D"),
                Binary => element.GetBytesFromBase64(),
                _ => throw new FrameException($"Unknown column type '{type}'."),
            };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new FrameException($"A value is not a valid '{type}': {element.GetRawText()}.", e);
        }
    }

    /// <summary>Whether <paramref name="type"/> is a type name of this table.</summary>
    public static bool IsKnown(string type) => type is String or Bool or Byte or Short or Int or Long or Decimal
        or Double or Float or DateTime or DateTimeOffset or Guid or Binary;

    private static string NameOf(object value) => value switch
    {
        string => String,
        bool => Bool,
        byte => Byte,
        short => Short,
        int => Int,
        long => Long,
        decimal => Decimal,
        double => Double,
        float => Float,
        System.DateTime => DateTime,
        System.DateTimeOffset => DateTimeOffset,
        System.Guid => Guid,
        byte[] => Binary,
        _ => String,
    };

    private static void WriteReal(Utf8JsonWriter writer, double number)
    {
        if (double.IsFinite(number))
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteStringValue(number.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static double ReadReal(JsonElement element) =>
        element.ValueKind == JsonValueKind.String
            ? double.Parse(element.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture)
            : element.GetDouble();

    private static string RequireString(JsonElement element) =>
        element.ValueKind == JsonValueKind.String ? element.GetString()! : throw new FormatException("Expected a string.");
}
