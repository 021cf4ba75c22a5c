using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace OpenVdi.Engine.Tds;

/// <summary>Bytes of the server's token stream, written little-endian as TDS wants them.</summary>
internal sealed class TdsTokenBuffer
{
    private readonly ArrayBufferWriter<byte> _bytes = new(256);

    public int Length => _bytes.WrittenCount;

    public ReadOnlyMemory<byte> Written => _bytes.WrittenMemory;

    public byte[] ToArray() => _bytes.WrittenSpan.ToArray();

    public void Byte(byte value) => Span(1)[0] = value;

    public void UInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Span(2), value);

    public void Int32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Span(4), value);

    public void UInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Span(4), value);

    public void UInt32BigEndian(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Span(4), value);

    public void Int64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Span(8), value);

    public void UInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Span(8), value);

    public void Bytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Span(bytes.Length));

    /// <summary>UTF-16 text, no length.</summary>
    public void Unicode(string text) => Encoding.Unicode.GetBytes(text, Span(text.Length * 2));

    /// <summary>B_VARCHAR: a byte's count of characters (the text is cut at 255), then the UTF-16 text.</summary>
    public void BVarChar(string text)
    {
        string cut = text.Length > byte.MaxValue ? text[..byte.MaxValue] : text;
        Byte((byte)cut.Length);
        Unicode(cut);
    }

    /// <summary>US_VARCHAR: a USHORT's count of characters (cut at <paramref name="maxCharacters"/>), then the UTF-16 text.</summary>
    public void UsVarChar(string text, int maxCharacters)
    {
        string cut = text.Length > maxCharacters ? text[..maxCharacters] : text;
        UInt16((ushort)cut.Length);
        Unicode(cut);
    }

    /// <summary>Reserves a USHORT length to be filled by <see cref="EndLength"/> once what it counts is written.</summary>
    public int BeginLength()
    {
        int at = _bytes.WrittenCount;
        UInt16(0);
        return at;
    }

    /// <summary>Fills the length reserved at <paramref name="at"/> with the bytes written after it.</summary>
    public void EndLength(int at)
    {
        int length = _bytes.WrittenCount - at - 2;
        if (length > ushort.MaxValue)
        {
            throw new InvalidOperationException("A token is longer than its 16-bit length allows.");
        }

        // The span is the bytes already written; the array behind the writer stays put until the next write.
        BinaryPrimitives.WriteUInt16LittleEndian(System.Runtime.InteropServices.MemoryMarshal.AsMemory(_bytes.WrittenMemory).Span[at..], (ushort)length);
    }

    private Span<byte> Span(int count)
    {
        var span = _bytes.GetSpan(count)[..count];
        _bytes.Advance(count);
        return span;
    }
}
