namespace OpenVdi;

/// <summary>
/// A command as the client sees it (<c>VDC_Command</c>): read-only, owned by VDI, valid from GetCommand until it is
/// passed to CompleteCommand. <see cref="Buffer"/> is this process's address of the shared buffer;
/// <see cref="Data"/> and <see cref="Memory"/> view the same bytes without a copy.
/// </summary>
/// <remarks>
/// Each implementation of <see cref="IClientVirtualDevice"/> (OpenVdi's transport, a binding to Microsoft's library)
/// derives its own commands from this class. Command objects are pooled: do not keep one after completing it.
/// </remarks>
public abstract class VdcCommand
{
    private int _live;
    private uint _generation;

    /// <summary>For implementations of <see cref="IClientVirtualDevice"/>.</summary>
    protected VdcCommand()
    {
    }

    /// <summary>The command code.</summary>
    public abstract VdCommandCode CommandCode { get; }

    /// <summary>Bytes to transfer (Read, Write), a count (SkipMarks, SkipBlocks) or a <see cref="VdWhence"/> (SetPosition).</summary>
    public abstract uint Size { get; }

    /// <summary>The position input: a byte offset for random-access devices, or a position from GetPosition.</summary>
    public abstract ulong Position { get; }

    /// <summary>This process's address of the data buffer (Read, Write); 0 for commands without one.</summary>
    public abstract nint Buffer { get; }

    /// <summary>Whether the command is outstanding: fetched and not yet completed.</summary>
    public bool IsOutstanding => Volatile.Read(ref _live) != 0;

    /// <summary>The <see cref="Size"/> bytes of the data buffer, in place in shared memory (empty without a buffer).</summary>
    /// <exception cref="InvalidOperationException">The command was completed: its buffer is the server's again.</exception>
    public Span<byte> Data
    {
        get
        {
            ThrowIfNotOutstanding();
            return GetData();
        }
    }

    /// <summary>The same bytes as <see cref="Data"/>, as <see cref="Memory{T}"/> for asynchronous code.</summary>
    /// <exception cref="InvalidOperationException">The command was completed.</exception>
    public Memory<byte> Memory
    {
        get
        {
            ThrowIfNotOutstanding();
            return GetMemory();
        }
    }

    /// <summary>The buffer's prefix zone (<c>prefixZoneSize</c> bytes just before <see cref="Data"/>); empty without one.</summary>
    /// <exception cref="InvalidOperationException">The command was completed.</exception>
    public Span<byte> PrefixZone
    {
        get
        {
            ThrowIfNotOutstanding();
            return GetPrefixZone();
        }
    }

    /// <summary>How many times this object was handed out: tells a delivery from the next one of the same object.</summary>
    internal uint Generation => Volatile.Read(ref _generation);

    /// <summary>The data buffer's bytes; called only while the command is outstanding.</summary>
    protected abstract Span<byte> GetData();

    /// <summary>The data buffer's bytes as memory; called only while the command is outstanding.</summary>
    protected abstract Memory<byte> GetMemory();

    /// <summary>The prefix zone's bytes; called only while the command is outstanding (empty by default).</summary>
    protected virtual Span<byte> GetPrefixZone() => [];

    /// <summary>An implementation hands this object out for a new command: it is outstanding from here on.</summary>
    protected void OnDelivered()
    {
        Interlocked.Increment(ref _generation);
        Volatile.Write(ref _live, 1);
    }

    /// <summary>Claims the one completion the command gets; false when it was completed (or invalidated) already.</summary>
    protected internal bool TryBeginCompletion() => Interlocked.Exchange(ref _live, 0) == 1;

    /// <summary>Gives a completion claimed by <see cref="TryBeginCompletion"/> back (the completion was refused).</summary>
    protected internal void CancelCompletion() => Volatile.Write(ref _live, 1);

    /// <summary>The command is no longer outstanding and its buffer no longer reachable (the set closed).</summary>
    protected void EndOutstanding() => Volatile.Write(ref _live, 0);

    /// <inheritdoc/>
    public override string ToString() => $"{CommandCode} size={Size} position={Position}";

    private void ThrowIfNotOutstanding()
    {
        if (Volatile.Read(ref _live) == 0)
        {
            throw new InvalidOperationException("The command is not outstanding: its buffer belongs to the server after CompleteCommand.");
        }
    }
}
