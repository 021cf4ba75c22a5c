namespace OpenVdi;

/// <summary>A VDI call failed with <see cref="Result"/>.</summary>
public class VdiException : Exception
{
    /// <summary>Creates an exception for <paramref name="result"/>.</summary>
    public VdiException(VdiResult result, string message) : base(message) => Result = result;

    /// <summary>Creates an exception.</summary>
    public VdiException() { }

    /// <summary>Creates an exception.</summary>
    public VdiException(string message) : base(message) { }

    /// <summary>Creates an exception.</summary>
    public VdiException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The VDI result code.</summary>
    public VdiResult Result { get; }
}
