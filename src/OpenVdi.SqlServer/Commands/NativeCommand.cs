using OpenVdi.SqlVdi.Abi;

namespace OpenVdi.SqlServer.Commands;

/// <summary>
/// A command Microsoft's library handed out: its <c>VDC_Command*</c>, valid from GetCommand until CompleteCommand,
/// and the fields read from it at delivery. <see cref="VdcCommand.Data"/> is the library's buffer itself (no copy).
/// The record has the same layout in libsqlvdi.so and in sqlvdi.dll (x64: code 0, size 4, position 8, buffer 16), so
/// both bindings deliver this class.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The memory manager over the library's buffer owns nothing to release.")]
internal sealed unsafe class NativeCommand : VdcCommand
{
    private readonly NativeBufferMemory _memory = new();
    private VdCommandCode _code;
    private uint _size;
    private ulong _position;
    private nint _buffer;
    private int _prefixZoneSize;

    /// <summary>A command object of <paramref name="device"/>, pooled by it.</summary>
    public NativeCommand(object device) => Device = device;

    /// <summary>The device that delivers this object: another device's command is refused.</summary>
    public object Device { get; }

    /// <summary>The library's record, while the command is outstanding.</summary>
    public VdcCommandRecord* Record { get; private set; }

    public override VdCommandCode CommandCode => _code;

    public override uint Size => _size;

    public override ulong Position => _position;

    public override nint Buffer => _buffer;

    /// <summary>Whether the command carries data: a Read or a Write with a buffer.</summary>
    private bool HasData => _code is VdCommandCode.VDC_Read or VdCommandCode.VDC_Write && _buffer != 0 && _size <= int.MaxValue;

    /// <summary>
    /// Takes the record GetCommand returned. The fields are copied: they stay readable after completion, when the
    /// record is the library's again.
    /// </summary>
    /// <param name="record">The library's record.</param>
    /// <param name="prefixZoneSize">The set's negotiated prefix zone: that many bytes precede a data buffer.</param>
    public void Deliver(VdcCommandRecord* record, uint prefixZoneSize)
    {
        Record = record;

        // SAFETY: the library hands out a valid record, readable until the command is completed.
        _code = (VdCommandCode)record->CommandCode;
        _size = unchecked((uint)record->TransferSize);
        _position = unchecked((ulong)record->Position);
        _buffer = record->Buffer;
        _prefixZoneSize = HasData && prefixZoneSize <= int.MaxValue ? (int)prefixZoneSize : 0;
        _memory.Reset(HasData ? _buffer : 0, HasData ? (int)_size : 0);
        OnDelivered();
    }

    /// <summary>Claims the command's one completion (for its device, which is not a <see cref="VdcCommand"/>).</summary>
    public bool ClaimCompletion() => TryBeginCompletion();

    /// <summary>Gives back a completion the library or the device refused: the command is outstanding again.</summary>
    public void ReleaseCompletion() => CancelCompletion();

    /// <summary>The set closed: no longer outstanding, and its buffer no longer reachable through this object.</summary>
    public void Invalidate()
    {
        EndOutstanding();
        Record = null;
        _memory.Reset(0, 0);
    }

    // SAFETY (three members): called only while the command is outstanding, when the library's buffer of Size bytes, and
    // the prefix zone the configuration declared just before it, are mapped at Buffer.
    protected override Span<byte> GetData() => HasData ? new Span<byte>((void*)_buffer, (int)_size) : [];

    protected override Memory<byte> GetMemory() => HasData ? _memory.Memory : default;

    protected override Span<byte> GetPrefixZone() => HasData && _prefixZoneSize > 0 ? new Span<byte>((byte*)_buffer - _prefixZoneSize, _prefixZoneSize) : [];
}
