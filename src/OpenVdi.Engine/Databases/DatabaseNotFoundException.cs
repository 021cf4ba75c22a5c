namespace OpenVdi.Engine.Databases;

/// <summary>The catalogue has no database of that name (SQL Server's message 911).</summary>
public sealed class DatabaseNotFoundException : Exception
{
    /// <summary>Creates the exception for a database name.</summary>
    /// <param name="name">The name looked up.</param>
    /// <param name="message">The message.</param>
    public DatabaseNotFoundException(string name, string message)
        : base(message)
    {
        Name = name;
    }

    /// <summary>Creates the exception with a message only.</summary>
    /// <param name="message">The message.</param>
    public DatabaseNotFoundException(string message)
        : this(string.Empty, message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public DatabaseNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
        Name = string.Empty;
    }

    /// <summary>Creates the exception with a default message.</summary>
    public DatabaseNotFoundException()
        : this(string.Empty, "The database does not exist.")
    {
    }

    /// <summary>The name looked up.</summary>
    public string Name { get; }
}
