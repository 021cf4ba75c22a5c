namespace OpenVdi.Engine.Tds;

/// <summary>The TYPE_INFO type bytes the engine reads in RPC parameters and writes in COLMETADATA (MS-TDS 2.2.5.4).</summary>
internal static class TdsDataType
{
    public const byte Null = 0x1F;
    public const byte Image = 0x22;
    public const byte Text = 0x23;
    public const byte Guid = 0x24;
    public const byte IntN = 0x26;
    public const byte DateN = 0x28;
    public const byte TimeN = 0x29;
    public const byte DateTime2N = 0x2A;
    public const byte DateTimeOffsetN = 0x2B;
    public const byte Int1 = 0x30;
    public const byte Bit = 0x32;
    public const byte Int2 = 0x34;
    public const byte Int4 = 0x38;
    public const byte DateTime4 = 0x3A;
    public const byte Float4 = 0x3B;
    public const byte Money = 0x3C;
    public const byte DateTime = 0x3D;
    public const byte Float8 = 0x3E;
    public const byte NText = 0x63;
    public const byte BitN = 0x68;
    public const byte DecimalN = 0x6A;
    public const byte NumericN = 0x6C;
    public const byte FloatN = 0x6D;
    public const byte MoneyN = 0x6E;
    public const byte DateTimeN = 0x6F;
    public const byte Money4 = 0x7A;
    public const byte Int8 = 0x7F;
    public const byte BigVarBinary = 0xA5;
    public const byte BigVarChar = 0xA7;
    public const byte BigBinary = 0xAD;
    public const byte BigChar = 0xAF;
    public const byte NVarChar = 0xE7;
    public const byte NChar = 0xEF;

    /// <summary>A USHORT maximum length of 0xFFFF: a (max) type, whose values travel as PLP chunks.</summary>
    public const ushort MaxLength = 0xFFFF;
}
