using System.Diagnostics.CodeAnalysis;

namespace OpenVdi;

/// <summary>
/// A command fetched from a <see cref="VirtualDevice"/>: a small struct over the device's pooled
/// <see cref="VdcCommand"/>, so fetching one allocates nothing. Its <see cref="Data"/> is the server's buffer in
/// shared memory, read or filled in place, and it must be completed exactly once with <see cref="Complete"/>.
/// </summary>
/// <remarks>
/// A copy of the struct stays tied to the command it was fetched as: once completed, the pooled object is reused
/// for a later command, and every member of a stale copy but the recorded <see cref="Code"/>, <see cref="Size"/> and
/// <see cref="Position"/> throws <see cref="InvalidOperationException"/> rather than touch the later command.
/// </remarks>
public readonly struct DeviceCommand
{
    private readonly VirtualDevice? _device;
    private readonly VdcCommand? _command;
    private readonly uint _generation;

    internal DeviceCommand(VirtualDevice device, VdcCommand command)
    {
        _device = device;
        _command = command;
        _generation = command.Generation;
        Code = command.CommandCode;
        Size = command.Size;
        Position = command.Position;
    }

    /// <summary>The command code.</summary>
    public VdCommandCode Code { get; }

    /// <summary>Bytes to move (VDC_Read, VDC_Write), a count (VDC_SkipMarks, VDC_SkipBlocks) or a <see cref="VdWhence"/> (VDC_SetPosition).</summary>
    public uint Size { get; }

    /// <summary>The position input: a byte offset on random-access devices, or a position GetPosition returned.</summary>
    public ulong Position { get; }

    /// <summary>The device the command came from.</summary>
    /// <exception cref="InvalidOperationException">A default struct, not a fetched command.</exception>
    public VirtualDevice Device => _device ?? ThrowDefault<VirtualDevice>();

    /// <summary>Whether the command is still outstanding: fetched, and not yet completed through any copy.</summary>
    public bool IsOutstanding => _command is { } c && c.Generation == _generation && c.IsOutstanding;

    /// <summary>Whether the command carries a data buffer (VDC_Read or VDC_Write).</summary>
    public bool HasData => Code is VdCommandCode.VDC_Read or VdCommandCode.VDC_Write;

    /// <summary>
    /// The <see cref="Size"/> bytes of the command's buffer, in place in shared memory: the data to store for a
    /// VDC_Write, the space to fill for a VDC_Read; empty for other commands.
    /// </summary>
    /// <exception cref="InvalidOperationException">The command was completed (its buffer is the server's again), or a default struct.</exception>
    /// <exception cref="ObjectDisposedException">The set was disposed (its shared memory is unmapped).</exception>
    /// <remarks>A span taken earlier must not be used after the command is completed or the set disposed: it points into shared memory that is the server's again, or unmapped.</remarks>
    public Span<byte> Data => Outstanding().Data;

    /// <summary>The same bytes as <see cref="Data"/>, as <see cref="Memory{T}"/> for asynchronous code. Valid until completion.</summary>
    /// <exception cref="InvalidOperationException">The command was completed, or a default struct.</exception>
    /// <exception cref="ObjectDisposedException">The set was disposed.</exception>
    public Memory<byte> Memory => Outstanding().Memory;

    /// <summary>The client's scratch space just before the data (VDConfig.PrefixZoneSize bytes).</summary>
    /// <exception cref="InvalidOperationException">The command was completed, or a default struct.</exception>
    /// <exception cref="ObjectDisposedException">The set was disposed.</exception>
    public Span<byte> PrefixZone => Outstanding().PrefixZone;

    /// <summary>The faithful command object, for <see cref="ClientVirtualDeviceSet.GetBufferHandle"/> and other faithful calls.</summary>
    /// <exception cref="InvalidOperationException">The command was completed, or a default struct.</exception>
    /// <exception cref="ObjectDisposedException">The set was disposed.</exception>
    public VdcCommand Faithful => Outstanding();

    /// <summary>
    /// Completes the command. Any code but ERROR_SUCCESS puts the device in the IO-ERROR state until the server sends
    /// VDC_ClearError. The buffer is the server's again once this returns.
    /// </summary>
    /// <param name="completionCode">A Win32 code (<see cref="Win32Error"/>); ERROR_SUCCESS by default.</param>
    /// <param name="bytesTransferred">
    /// Bytes moved, for VDC_Read and VDC_Write, at most <see cref="Size"/>. Null (the default) means all of
    /// <see cref="Size"/> for a successful data command and 0 otherwise.
    /// </param>
    /// <param name="position">The resulting position, for VDC_GetPosition and VDC_SetPosition.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytesTransferred"/> exceeds <see cref="Size"/> on a data command.</exception>
    /// <exception cref="InvalidOperationException">The command was already completed (through this or another copy), or a default struct.</exception>
    /// <exception cref="VdiException">VD_E_ABORT when the set aborted (the server has already seen ERROR_OPERATION_ABORTED); VD_E_UNEXPECTED when the shared segment is corrupt.</exception>
    /// <exception cref="ObjectDisposedException">The <see cref="VirtualDeviceSet"/> was disposed.</exception>
    public void Complete(uint completionCode = Win32Error.ERROR_SUCCESS, uint? bytesTransferred = null, ulong position = 0)
    {
        var command = Outstanding();
        uint bytes = bytesTransferred ?? (HasData && completionCode == Win32Error.ERROR_SUCCESS ? Size : 0);
        if (HasData && bytes > Size)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(bytesTransferred), $"At most the command's size ({Size} bytes) can be transferred.");
        }

        var result = _device!.Faithful.CompleteCommand(command, completionCode, bytes, position);
        if (result != VdiResult.NOERROR)
        {
            _device.ThrowForCompletion(result);
        }
    }

    /// <summary>Completes the command with <paramref name="completionCode"/> and no bytes: the device enters IO-ERROR.</summary>
    /// <param name="completionCode">A Win32 failure code, e.g. <see cref="Win32Error.ERROR_DISK_FULL"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="completionCode"/> is ERROR_SUCCESS.</exception>
    /// <exception cref="InvalidOperationException">As <see cref="Complete"/>.</exception>
    /// <exception cref="VdiException">As <see cref="Complete"/>.</exception>
    /// <exception cref="ObjectDisposedException">As <see cref="Complete"/>.</exception>
    public void Fail(uint completionCode)
    {
        if (completionCode == Win32Error.ERROR_SUCCESS)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(completionCode), "A failure needs a code other than ERROR_SUCCESS.");
        }

        Complete(completionCode, 0, 0);
    }

    /// <inheritdoc/>
    public override string ToString() => _command is null ? "(none)" : $"{Code} size={Size} position={Position}";

    private static T ThrowDefault<T>()
    {
        ThrowHelper.ThrowInvalidOperation("This DeviceCommand is a default value, not a fetched command.");
        return default!;
    }

    /// <summary>The pooled object, if it still holds this command, the command is outstanding and the set is open.</summary>
    private VdcCommand Outstanding()
    {
        var command = _command;
        if (command is not null && _device!.Set.IsDisposed)
        {
            // The buffer area is unmapped: refuse before anything points into it (Close also ended the command).
            ThrowHelper.ThrowObjectDisposed(typeof(VirtualDeviceSet));
        }

        if (command is null || command.Generation != _generation || !command.IsOutstanding)
        {
            ThrowNotOutstanding(command is null);
        }

        return command;
    }

    [DoesNotReturn]
    private static void ThrowNotOutstanding(bool isDefault) =>
        ThrowHelper.ThrowInvalidOperation(isDefault
            ? "This DeviceCommand is a default value, not a fetched command."
            : "The command is not outstanding: it was completed, and its buffer belongs to the server again.");
}
