using System.Buffers;

namespace OpenVdi.SqlServer.Commands;

/// <summary>
/// A <see cref="MemoryManager{T}"/> over a buffer the VDI library owns, so that a command's data travels as
/// <see cref="Memory{T}"/> (async code, streams) without a copy. One instance per command object, re-aimed at every
/// delivery: nothing is allocated per command.
/// </summary>
internal sealed unsafe class NativeBufferMemory : MemoryManager<byte>
{
    private nint _address;
    private int _length;

    /// <summary>Aims the memory at <paramref name="length"/> bytes at <paramref name="address"/> (0, 0: nothing).</summary>
    public void Reset(nint address, int length)
    {
        _address = address;
        _length = length;
    }

    // SAFETY: the library's buffer stays mapped, at this address, from GetCommand until CompleteCommand; VdcCommand
    // hands this memory out only while its command is outstanding.
    public override Span<byte> GetSpan() => _address == 0 ? [] : new Span<byte>((void*)_address, _length);

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        if ((uint)elementIndex > (uint)_length)
        {
            throw new ArgumentOutOfRangeException(nameof(elementIndex));
        }

        // SAFETY: native memory never moves; the index is within the buffer (checked above).
        return new MemoryHandle(_address == 0 ? null : (byte*)_address + elementIndex);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
