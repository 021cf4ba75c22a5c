namespace OpenVdi;

/// <summary>
/// A VDI call failed: the exception the idiomatic layer throws for a <c>VD_E_*</c> result, carrying the code as
/// <see cref="Result"/> (and its HRESULT as <see cref="Exception.HResult"/>).
/// </summary>
/// <remarks>
/// The faithful layer (<see cref="ClientVirtualDeviceSet"/>, <see cref="ClientVirtualDevice"/>) never throws: it
/// returns the code. The idiomatic layer (<see cref="VirtualDeviceSet"/>, <see cref="VirtualDevice"/>, the device
/// streams) turns the codes a .NET caller cannot go on from into this exception, and keeps the normal outcomes
/// (VD_E_TIMEOUT from a <c>Try…</c> call, VD_E_CLOSE at the end of a device) as return values.
/// </remarks>
public sealed class VdiException : IOException
{
    /// <summary>Creates an exception for <see cref="VdiResult.VD_E_UNEXPECTED"/> with a default message.</summary>
    public VdiException()
        : this(VdiResult.VD_E_UNEXPECTED)
    {
    }

    /// <summary>Creates an exception for <see cref="VdiResult.VD_E_UNEXPECTED"/> with <paramref name="message"/>.</summary>
    public VdiException(string? message)
        : this(VdiResult.VD_E_UNEXPECTED, message)
    {
    }

    /// <summary>Creates an exception for <see cref="VdiResult.VD_E_UNEXPECTED"/> with a message and a cause.</summary>
    public VdiException(string? message, Exception? innerException)
        : this(VdiResult.VD_E_UNEXPECTED, message, innerException)
    {
    }

    /// <summary>Creates an exception for <paramref name="result"/>, with a message that names the code and its meaning.</summary>
    /// <param name="result">The failing result; <see cref="VdiResult.NOERROR"/> is not a failure and is refused.</param>
    /// <param name="message">What failed, in the caller's words; null for the code's description alone.</param>
    /// <param name="innerException">The cause, if any.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="result"/> is <see cref="VdiResult.NOERROR"/>.</exception>
    public VdiException(VdiResult result, string? message = null, Exception? innerException = null)
        : base(ComposeMessage(result, message), innerException)
    {
        if (result == VdiResult.NOERROR)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(result), "NOERROR is not a failure.");
        }

        Result = result;
        HResult = unchecked((int)result);
    }

    /// <summary>The VDI result code (a <c>0x8077xxxx</c> HRESULT).</summary>
    public VdiResult Result { get; }

    /// <summary>The set was aborted (VD_E_ABORT): by either side's SignalAbort, a server timeout, a dead peer or a corrupt segment. Only Close makes sense now.</summary>
    public bool IsAbort => Result switch
    {
        VdiResult.VD_E_ABORT => true,
        _ => false,
    };

    /// <summary>A wait ran out of time (VD_E_TIMEOUT). Waiting again may succeed.</summary>
    public bool IsTimeout => Result switch
    {
        VdiResult.VD_E_TIMEOUT => true,
        _ => false,
    };

    /// <summary>The device or set was closed (VD_E_CLOSE): the normal end of a device, met where more was expected.</summary>
    public bool IsClosed => Result switch
    {
        VdiResult.VD_E_CLOSE => true,
        _ => false,
    };

    /// <summary>
    /// The call does not fit the set's state or its arguments (VD_E_PROTOCOL, VD_E_INVALID, VD_E_NOTOPEN, VD_E_OPEN):
    /// a mistake in the calling program rather than a failure of the other side.
    /// </summary>
    public bool IsUsageError => Result switch
    {
        VdiResult.VD_E_PROTOCOL or VdiResult.VD_E_INVALID or VdiResult.VD_E_NOTOPEN or VdiResult.VD_E_OPEN => true,
        _ => false,
    };

    /// <summary>
    /// The requested configuration or instance cannot be served (VD_E_NOTSUPPORTED, VD_E_INSTANCE_NAME): retrying the
    /// same request will fail the same way.
    /// </summary>
    public bool IsConfigurationError => Result switch
    {
        VdiResult.VD_E_NOTSUPPORTED or VdiResult.VD_E_INSTANCE_NAME => true,
        _ => false,
    };

    /// <summary>
    /// The system refused a resource (VD_E_MEMORY, VD_E_SECURITY, VD_E_BUSY, VD_E_QUEUE_FULL): shared memory, its
    /// permissions, a set name in use, or a full command queue.
    /// </summary>
    public bool IsResourceError => Result switch
    {
        VdiResult.VD_E_MEMORY or VdiResult.VD_E_SECURITY or VdiResult.VD_E_BUSY or VdiResult.VD_E_QUEUE_FULL => true,
        _ => false,
    };

    /// <summary>Internal error or a corrupt shared segment (VD_E_UNEXPECTED); in OpenVdi the set is aborted.</summary>
    public bool IsUnexpected => Result switch
    {
        VdiResult.VD_E_UNEXPECTED => true,
        _ => false,
    };

    /// <summary>
    /// The same call may succeed if made again later (VD_E_TIMEOUT, VD_E_BUSY, VD_E_QUEUE_FULL, VD_E_MEMORY). An abort
    /// is never transient: the set is over.
    /// </summary>
    public bool IsTransient => Result switch
    {
        VdiResult.VD_E_TIMEOUT or VdiResult.VD_E_BUSY or VdiResult.VD_E_QUEUE_FULL or VdiResult.VD_E_MEMORY => true,
        _ => false,
    };

    /// <summary>The code's name, value and meaning, e.g. <c>VD_E_ABORT (0x80770004): the set was aborted…</c>.</summary>
    /// <param name="result">Any result, NOERROR included.</param>
    /// <returns>One sentence.</returns>
    public static string Describe(VdiResult result)
    {
        string meaning = result switch
        {
            VdiResult.NOERROR => "success",
            VdiResult.VD_E_QUEUE_FULL => "the device's command queue is full",
            VdiResult.VD_E_NOTOPEN => "the object is not open",
            VdiResult.VD_E_TIMEOUT => "the wait's timeout elapsed",
            VdiResult.VD_E_ABORT => "the virtual device set was aborted (SignalAbort by either side, a server timeout, a dead peer or a corrupt segment); only Close makes sense now",
            VdiResult.VD_E_SECURITY => "the shared memory's security could not be set up",
            VdiResult.VD_E_INVALID => "an invalid parameter was given",
            VdiResult.VD_E_INSTANCE_NAME => "the instance name was not recognised",
            VdiResult.VD_E_IO_ERROR => "the device is in the IO-ERROR state",
            VdiResult.VD_E_NOTSUPPORTED => "the requested configuration is invalid or unsupported",
            VdiResult.VD_E_MEMORY => "the shared memory could not be obtained",
            VdiResult.VD_E_UNEXPECTED => "an internal error, or a corrupt shared segment (the set is aborted)",
            VdiResult.VD_E_PROTOCOL => "the call is not valid in the set's current state",
            VdiResult.VD_E_OPEN => "devices are open: all of them (OpenDevice), or some still (Close)",
            VdiResult.VD_E_CLOSE => "the device or set has been closed",
            VdiResult.VD_E_BUSY => "the resource is busy: a set of that name already exists",
            _ => "an unknown result",
        };
        return $"{result} (0x{(uint)result:X8}): {meaning}.";
    }

    private static string ComposeMessage(VdiResult result, string? message) =>
        message is null ? Describe(result) : $"{message}: {Describe(result)}";
}
