using System.Buffers;

namespace OpenVdi.Transport;

/// <summary>
/// A <see cref="MemoryManager{T}"/> over one buffer's data zone, so a command's buffer can travel as
/// <see cref="Memory{T}"/> (async code, streams) without a copy. One instance is kept per command object and
/// re-aimed at each fetch: no allocation per command.
/// </summary>
internal sealed unsafe class SharedBufferMemory : MemoryManager<byte>
{
    private BufferAreaMap? _map;
    private int _index;
    private int _length;

    public void Reset(BufferAreaMap? map, int index, int length)
    {
        _map = map;
        _index = index;
        _length = length;
    }

    public override Span<byte> GetSpan() => _map is null ? [] : _map.Data(_index, _length);

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        if ((uint)elementIndex > (uint)_length)
        {
            throw new ArgumentOutOfRangeException(nameof(elementIndex));
        }

        // SAFETY: shared mappings never move; the address is inside the data zone checked by GetSpan's map.
        nint address = _map is null ? 0 : _map.DataAddress(_index) + elementIndex;
        return new MemoryHandle((void*)address);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
