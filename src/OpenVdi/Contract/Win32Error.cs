namespace OpenVdi;

/// <summary>
/// The Win32 completion codes VDI uses with <c>CompleteCommand</c> and in a server command's
/// <c>completionCode</c> (values from <c>winerror.h</c>).
/// </summary>
public static class Win32Error
{
    /// <summary>The command succeeded.</summary>
    public const uint ERROR_SUCCESS = 0;

    /// <summary>Server side: SendCommand rejected because the device is not active.</summary>
    public const uint ERROR_INVALID_HANDLE = 6;

    /// <summary>Defined in the Linux header; no documented VDI meaning.</summary>
    public const uint ERROR_ARENA_TRASHED = 7;

    /// <summary>A generic failure used by some clients.</summary>
    public const uint ERROR_BAD_ENVIRONMENT = 10;

    /// <summary>A generic write failure.</summary>
    public const uint ERROR_WRITE_FAULT = 29;

    /// <summary>A generic read failure.</summary>
    public const uint ERROR_READ_FAULT = 30;

    /// <summary>Read: no more data.</summary>
    public const uint ERROR_HANDLE_EOF = 38;

    /// <summary>The device is full.</summary>
    public const uint ERROR_HANDLE_DISK_FULL = 39;

    /// <summary>The client does not support the command.</summary>
    public const uint ERROR_NOT_SUPPORTED = 50;

    /// <summary>Write: the device is full; BACKUP fails.</summary>
    public const uint ERROR_DISK_FULL = 112;

    /// <summary>The command was aborted (SignalAbort, Close).</summary>
    public const uint ERROR_OPERATION_ABORTED = 995;

    /// <summary>Write: the end-of-media warning zone was reached.</summary>
    public const uint ERROR_END_OF_MEDIA = 1100;

    /// <summary>Read: the read would cross a filemark.</summary>
    public const uint ERROR_FILEMARK_DETECTED = 1101;

    /// <summary>The beginning of the media was reached.</summary>
    public const uint ERROR_BEGINNING_OF_MEDIA = 1102;

    /// <summary>Read: no more data (treated like ERROR_HANDLE_EOF).</summary>
    public const uint ERROR_NO_DATA_DETECTED = 1104;

    /// <summary>Server side: the command was rejected because the device is in IO-ERROR.</summary>
    public const uint ERROR_IO_DEVICE = 1117;

    /// <summary>Write: the physical end of media; BACKUP fails.</summary>
    public const uint ERROR_EOM_OVERFLOW = 1129;

    /// <summary>Server side: SendCommand rejected because the queue is full.</summary>
    public const uint ERROR_NO_SYSTEM_RESOURCES = 1450;

    /// <summary>
    /// The code a client completes a VDC_Write (or the VDC_Flush that reached storage) with when storing its bytes
    /// failed: <see cref="ERROR_DISK_FULL"/> when the disk or the quota is full (ENOSPC or EDQUOT on Linux;
    /// ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL on Windows), so that SQL Server reports a full disk, and
    /// <see cref="ERROR_WRITE_FAULT"/> for any other failure.
    /// </summary>
    /// <param name="exception">What the destination threw.</param>
    /// <returns>The completion code.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is null.</exception>
    public static uint ForWriteFailure(IOException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);

        // .NET puts the errno itself in HResult on Unix, and an HRESULT of FACILITY_WIN32 on Windows.
        const int Enospc = 28;
        const int Edquot = 122;
        int code = exception.HResult;
        bool full = OperatingSystem.IsWindows()
            ? (code & 0xFFFF) is (int)ERROR_DISK_FULL or (int)ERROR_HANDLE_DISK_FULL
            : code is Enospc or Edquot;
        return full ? ERROR_DISK_FULL : ERROR_WRITE_FAULT;
    }
}
