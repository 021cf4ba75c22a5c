using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace OpenVdi.Engine.Tds;

/// <summary>
/// Reads the fields of a client's message in order, little-endian as TDS writes them, every read checked against
/// the message's end: a field that runs past it is a <see cref="TdsProtocolException"/>, never an out-of-range read.
/// </summary>
internal sealed class TdsPayloadReader
{
    private readonly byte[] _data;
    private readonly int _end;

    public TdsPayloadReader(byte[] data, int start = 0, int? end = null)
    {
        _data = data;
        _end = end ?? data.Length;
        Position = start;
        if (start < 0 || _end > data.Length || start > _end)
        {
            throw new TdsProtocolException("A field's bounds lie outside its message.");
        }
    }

    public int Position { get; private set; }

    public int Remaining => _end - Position;

    public bool AtEnd => Position >= _end;

    public byte Byte() => Take(1)[0];

    public ushort UInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    public uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public ulong UInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public ReadOnlySpan<byte> Bytes(int count) => Take(count);

    public void Skip(int count) => Take(count);

    /// <summary>UTF-16 text of <paramref name="characters"/> characters.</summary>
    public string Unicode(int characters) => Encoding.Unicode.GetString(Take(checked(characters * 2)));

    /// <summary>B_VARCHAR: a byte's count of characters, then the UTF-16 text.</summary>
    public string BVarChar() => Unicode(Byte());

    /// <summary>US_VARCHAR: a USHORT's count of characters, then the UTF-16 text.</summary>
    public string UsVarChar() => Unicode(UInt16());

    /// <summary>Skips ALL_HEADERS (TDS 7.2+), which opens every SQL batch and RPC: its total length, then the headers (transaction descriptor, trace activity).</summary>
    public void SkipAllHeaders()
    {
        uint total = UInt32();
        if (total < 4 || total - 4 > Remaining)
        {
            throw new TdsProtocolException(string.Create(CultureInfo.InvariantCulture, $"ALL_HEADERS gives the length {total}, which its message cannot hold."));
        }

        Skip((int)total - 4);
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new TdsProtocolException(string.Create(CultureInfo.InvariantCulture, $"A field of {count} bytes at offset {Position} runs past the end of its message ({_end} bytes)."));
        }

        var span = _data.AsSpan(Position, count);
        Position += count;
        return span;
    }
}
