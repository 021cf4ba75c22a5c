using OpenVdi.Transport;

namespace OpenVdi;

/// <summary>
/// A command as the client sees it (<c>VDC_Command</c>): read-only, owned by VDI, valid from GetCommand until it is
/// passed to CompleteCommand. <see cref="Buffer"/> is this process's address of the shared buffer;
/// <see cref="Data"/> and <see cref="Memory"/> view the same bytes without a copy.
/// </summary>
/// <remarks>Command objects are pooled per device slot: do not keep one after completing it.</remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The memory manager over shared memory owns nothing to release: the set's Close unmaps.")]
public sealed class VdcCommand
{
    private readonly SharedBufferMemory _memory = new();
    private BufferAreaMap? _map;
    private int _bufferIndex = -1;
    private int _live;

    internal VdcCommand(ClientVirtualDevice device, int slot)
    {
        Device = device;
        Slot = slot;
    }

    /// <summary>The command code.</summary>
    public VdCommandCode CommandCode { get; private set; }

    /// <summary>Bytes to transfer (Read, Write), a count (SkipMarks, SkipBlocks) or a <see cref="VdWhence"/> (SetPosition).</summary>
    public uint Size { get; private set; }

    /// <summary>The position input: a byte offset for random-access devices, or a position from GetPosition.</summary>
    public ulong Position { get; private set; }

    /// <summary>This process's address of the data buffer (Read, Write); 0 for commands without one.</summary>
    public nint Buffer { get; private set; }

    /// <summary>Whether the command is outstanding: fetched and not yet completed.</summary>
    public bool IsOutstanding => Volatile.Read(ref _live) != 0;

    /// <summary>The <see cref="Size"/> bytes of the data buffer, in place in shared memory (empty without a buffer).</summary>
    /// <exception cref="InvalidOperationException">The command was completed: its buffer is the server's again.</exception>
    public Span<byte> Data
    {
        get
        {
            ThrowIfNotOutstanding();
            return _map is null ? [] : _map.Data(_bufferIndex, (int)Size);
        }
    }

    /// <summary>The same bytes as <see cref="Data"/>, as <see cref="Memory{T}"/> for asynchronous code.</summary>
    /// <exception cref="InvalidOperationException">The command was completed.</exception>
    public Memory<byte> Memory
    {
        get
        {
            ThrowIfNotOutstanding();
            return _map is null ? default : _memory.Memory;
        }
    }

    /// <summary>The client's scratch space just before the data (VDConfig.prefixZoneSize bytes).</summary>
    /// <exception cref="InvalidOperationException">The command was completed.</exception>
    public Span<byte> PrefixZone
    {
        get
        {
            ThrowIfNotOutstanding();
            return _map is null ? [] : _map.PrefixZone(_bufferIndex);
        }
    }

    internal ClientVirtualDevice Device { get; }

    internal int Slot { get; }

    internal uint Sequence { get; private set; }

    internal int BufferIndex => _bufferIndex;

    internal void Deliver(uint sequence, VdCommandCode code, uint size, ulong position, BufferAreaMap? map, int bufferIndex)
    {
        Sequence = sequence;
        CommandCode = code;
        Size = size;
        Position = position;
        _map = map;
        _bufferIndex = bufferIndex;
        Buffer = map is null ? 0 : map.DataAddress(bufferIndex);
        _memory.Reset(map, bufferIndex, (int)size);
        Volatile.Write(ref _live, 1);
    }

    /// <summary>Claims the completion: true for exactly one caller while the command is outstanding.</summary>
    internal bool TryBeginCompletion() => Interlocked.Exchange(ref _live, 0) == 1;

    /// <summary>The set closed: the command is no longer outstanding and its buffer is gone.</summary>
    internal void Invalidate()
    {
        Volatile.Write(ref _live, 0);
        _map = null;
        _memory.Reset(null, 0, 0);
        Buffer = 0;
    }

    /// <summary>Gives a claimed completion back (the completion was refused for a bad argument).</summary>
    internal void CancelCompletion() => Volatile.Write(ref _live, 1);

    private void ThrowIfNotOutstanding()
    {
        if (Volatile.Read(ref _live) == 0)
        {
            throw new InvalidOperationException("The command is not outstanding: its buffer belongs to the server after CompleteCommand.");
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{CommandCode} size={Size} position={Position}";
}
