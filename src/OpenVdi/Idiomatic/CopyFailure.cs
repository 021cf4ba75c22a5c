using System.Runtime.ExceptionServices;

namespace OpenVdi;

/// <summary>
/// What a device stream's copy keeps once the other stream failed it (a full disk under a backup, an unreadable
/// source under a restore): the completion code every later data command gets, and the exception to throw at the
/// device's end, with its own stack.
/// </summary>
internal sealed class CopyFailure(bool write)
{
    private ExceptionDispatchInfo? _failure;

    /// <summary>Whether the other stream failed.</summary>
    public bool HasFailed => _failure is not null;

    /// <summary>The completion code for the server: the write failure's (disk full or write fault), or ERROR_READ_FAULT.</summary>
    public uint Code { get; private set; } = Win32Error.ERROR_SUCCESS;

    /// <summary>Keeps the first failure and returns the completion code for it.</summary>
    public uint Record(IOException exception)
    {
        if (_failure is null)
        {
            _failure = ExceptionDispatchInfo.Capture(exception);
            Code = write ? Win32Error.ForWriteFailure(exception) : Win32Error.ERROR_READ_FAULT;
        }

        return Code;
    }

    /// <summary>Throws the kept failure, if any.</summary>
    public void ThrowIfFailed() => _failure?.Throw();
}
