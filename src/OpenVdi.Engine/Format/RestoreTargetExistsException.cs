namespace OpenVdi.Engine.Format;

/// <summary>
/// A RESTORE would overwrite an existing file or database and was not told it may (WITH REPLACE).
/// Nothing was written.
/// </summary>
public sealed class RestoreTargetExistsException : IOException
{
    /// <summary>Creates the exception for an existing file or database.</summary>
    /// <param name="path">The file or database that exists.</param>
    /// <param name="message">What would have been overwritten.</param>
    public RestoreTargetExistsException(string path, string message)
        : base(message)
    {
        Path = path;
    }

    /// <summary>Creates the exception with a message only.</summary>
    /// <param name="message">The message.</param>
    public RestoreTargetExistsException(string message)
        : this(string.Empty, message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public RestoreTargetExistsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = string.Empty;
    }

    /// <summary>Creates the exception with a default message.</summary>
    public RestoreTargetExistsException()
        : this(string.Empty, "The restore target exists.")
    {
    }

    /// <summary>The file or database that exists.</summary>
    public string Path { get; }
}
