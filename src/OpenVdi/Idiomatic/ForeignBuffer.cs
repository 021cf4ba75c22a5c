using System.Buffers;

namespace OpenVdi;

/// <summary>
/// A buffer that another implementation of the client interfaces (Microsoft's library, through a binding) mapped and
/// returned as an address: its bytes as a span or as memory, without a copy. The implementation owns the mapping;
/// the length is the caller's (the handle's buffer holds at least that many bytes, as MapBufferHandle documents).
/// </summary>
internal static unsafe class ForeignBuffer
{
    public static Span<byte> Span(nint address, int length) =>

        // SAFETY: the implementation's MapBufferHandle returned this address for a live buffer of the set; the caller
        // vouches for the length, as the documented C API does.
        new((void*)address, length);

    public static Memory<byte> Memory(nint address, int length) => new Manager(address, length).Memory;

    private sealed class Manager(nint address, int length) : MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => ForeignBuffer.Span(address, length);

        // SAFETY: a mapping does not move while it is mapped.
        public override MemoryHandle Pin(int elementIndex = 0) =>
            (uint)elementIndex <= (uint)length ? new MemoryHandle((byte*)address + elementIndex) : throw new ArgumentOutOfRangeException(nameof(elementIndex));

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
