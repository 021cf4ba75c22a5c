namespace OpenVdi.Engine.FrontDoor;

/// <summary>
/// An <see cref="EngineClient"/> could not get a statement's answer from the daemon. A statement that ran and failed
/// is not this: it is an outcome with its error messages.
/// </summary>
public sealed class EngineClientException : IOException
{
    /// <summary>Creates an exception for <see cref="EngineClientError.ConnectionLost"/>.</summary>
    public EngineClientException()
        : this(EngineClientError.ConnectionLost, "The engine connection failed.")
    {
    }

    /// <summary>Creates an exception for <see cref="EngineClientError.ConnectionLost"/> with a message.</summary>
    /// <param name="message">What happened.</param>
    public EngineClientException(string? message)
        : this(EngineClientError.ConnectionLost, message)
    {
    }

    /// <summary>Creates an exception for <see cref="EngineClientError.ConnectionLost"/> with a message and a cause.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public EngineClientException(string? message, Exception? innerException)
        : this(EngineClientError.ConnectionLost, message, innerException)
    {
    }

    /// <summary>Creates an exception for <paramref name="error"/>.</summary>
    /// <param name="error">Why the answer could not be had.</param>
    /// <param name="message">What happened, in a sentence a user can act on.</param>
    /// <param name="innerException">The cause, if any.</param>
    public EngineClientException(EngineClientError error, string? message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
    }

    /// <summary>Why the answer could not be had.</summary>
    public EngineClientError Error { get; }
}
