using OpenVdi.Transport;

namespace OpenVdi;

/// <summary>
/// A command of OpenVdi's transport: pooled per device slot, its buffer a view of the set's shared buffer area in this
/// process's mapping.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The memory manager over shared memory owns nothing to release: the set's Close unmaps.")]
internal sealed class SharedMemoryCommand : VdcCommand
{
    private readonly SharedBufferMemory _memory = new();
    private BufferAreaMap? _map;
    private int _bufferIndex = -1;
    private VdCommandCode _code;
    private uint _size;
    private ulong _position;
    private nint _buffer;

    internal SharedMemoryCommand(ClientVirtualDevice device, int slot)
    {
        Device = device;
        Slot = slot;
    }

    public override VdCommandCode CommandCode => _code;

    public override uint Size => _size;

    public override ulong Position => _position;

    public override nint Buffer => _buffer;

    internal ClientVirtualDevice Device { get; }

    internal int Slot { get; }

    internal uint Sequence { get; private set; }

    internal int BufferIndex => _bufferIndex;

    internal void Deliver(uint sequence, VdCommandCode code, uint size, ulong position, BufferAreaMap? map, int bufferIndex)
    {
        Sequence = sequence;
        _code = code;
        _size = size;
        _position = position;
        _map = map;
        _bufferIndex = bufferIndex;
        _buffer = map is null ? 0 : map.DataAddress(bufferIndex);
        _memory.Reset(map, bufferIndex, (int)size);
        OnDelivered();
    }

    /// <summary>Close: no longer outstanding, and nothing may touch the unmapped buffers.</summary>
    internal void Invalidate()
    {
        EndOutstanding();
        _map = null;
        _memory.Reset(null, 0, 0);
        _buffer = 0;
    }

    protected override Span<byte> GetData() => _map is null ? [] : _map.Data(_bufferIndex, (int)_size);

    protected override Memory<byte> GetMemory() => _map is null ? default : _memory.Memory;

    protected override Span<byte> GetPrefixZone() => _map is null ? [] : _map.PrefixZone(_bufferIndex);
}
