namespace OpenVdi;

/// <summary>
/// The result of a VDI call: <c>NOERROR</c> or one of the <c>VD_E_*</c> HRESULTs of <c>vdierror.h</c>
/// (<c>MAKE_HRESULT(SEVERITY_ERROR, 0x77, code)</c>, so every error is <c>0x8077xxxx</c>).
/// </summary>
/// <remarks>
/// <see cref="VD_E_TIMEOUT"/> and <see cref="VD_E_CLOSE"/> are normal outcomes of waiting calls, not failures.
/// <see cref="VD_E_QUEUE_FULL"/> and <see cref="VD_E_IO_ERROR"/> are named by the server documentation but defined
/// by no header; OpenVdi gives them the two codes the header leaves unused (1 and 8). See docs/decisions.md.
/// </remarks>
public enum VdiResult : uint
{
    /// <summary>Success (<c>S_OK</c>).</summary>
    NOERROR = 0,

    /// <summary>Server side: <c>SendCommand</c> found the device's command queue full. OpenVdi's value (code 1).</summary>
    VD_E_QUEUE_FULL = 0x80770001,

    /// <summary>The object is not open.</summary>
    VD_E_NOTOPEN = 0x80770002,

    /// <summary>The wait's timeout elapsed.</summary>
    VD_E_TIMEOUT = 0x80770003,

    /// <summary>The set is aborting; only termination calls make sense.</summary>
    VD_E_ABORT = 0x80770004,

    /// <summary>The security environment could not be set up (segment permissions).</summary>
    VD_E_SECURITY = 0x80770005,

    /// <summary>An invalid parameter was given.</summary>
    VD_E_INVALID = 0x80770006,

    /// <summary>The instance name was not recognised.</summary>
    VD_E_INSTANCE_NAME = 0x80770007,

    /// <summary>Server side: <c>SendCommand</c> on a device in the IO-ERROR state. OpenVdi's value (code 8).</summary>
    VD_E_IO_ERROR = 0x80770008,

    /// <summary>The requested configuration is invalid or unsupported.</summary>
    VD_E_NOTSUPPORTED = 0x80770009,

    /// <summary>Out of memory: the shared memory could not be obtained.</summary>
    VD_E_MEMORY = 0x8077000A,

    /// <summary>Internal error; in OpenVdi also the answer to a corrupt or hostile shared segment.</summary>
    VD_E_UNEXPECTED = 0x8077000B,

    /// <summary>The call is not valid in the current state.</summary>
    VD_E_PROTOCOL = 0x8077000C,

    /// <summary>All devices are open (OpenDevice), or devices are still open (Close).</summary>
    VD_E_OPEN = 0x8077000D,

    /// <summary>The device or set has been closed: the normal end of a device.</summary>
    VD_E_CLOSE = 0x8077000E,

    /// <summary>The resource is busy; in OpenVdi, a set of that name already exists.</summary>
    VD_E_BUSY = 0x8077000F,
}
