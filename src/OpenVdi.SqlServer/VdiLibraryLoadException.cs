namespace OpenVdi;

/// <summary>
/// Microsoft's VDI library could not be loaded: on Linux no <c>libsqlvdi.so</c> tried loaded (or none exported the
/// members the binding calls); on Windows the COM class could not be activated (<see cref="Exception.HResult"/> holds
/// COM's answer, for example REGDB_E_CLASSNOTREG 0x80040154 when <c>sqlvdi.dll</c> is not registered for this
/// process's bitness). The message says what was tried and why each attempt failed.
/// </summary>
public sealed class VdiLibraryLoadException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public VdiLibraryLoadException()
        : this("Microsoft's VDI library could not be loaded.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public VdiLibraryLoadException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the failure that caused it.</summary>
    public VdiLibraryLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and every attempt made.</summary>
    public VdiLibraryLoadException(string message, IReadOnlyList<string> attempts)
        : base(message)
    {
        Attempts = attempts;
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the HRESULT COM answered.</summary>
    internal VdiLibraryLoadException(string message, int hresult)
        : base(message)
    {
        HResult = hresult;
    }

    /// <summary>Each attempt, as "what was tried: why it failed", in the order they were made.</summary>
    public IReadOnlyList<string> Attempts { get; } = [];
}
