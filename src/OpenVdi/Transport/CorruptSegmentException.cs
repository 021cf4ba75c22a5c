namespace OpenVdi.Transport;

/// <summary>
/// Thrown inside the transport when a value read from shared memory fails a check. Every public entry point
/// catches it, aborts the set and answers <see cref="VdiResult.VD_E_UNEXPECTED"/>: it never reaches a caller.
/// </summary>
internal sealed class CorruptSegmentException : Exception
{
    public CorruptSegmentException(string message) : base(message) { }

    public CorruptSegmentException() { }

    public CorruptSegmentException(string message, Exception inner) : base(message, inner) { }
}
