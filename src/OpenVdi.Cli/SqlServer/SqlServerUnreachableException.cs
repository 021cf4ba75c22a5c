namespace OpenVdi.Cli.SqlServer;

/// <summary>No outcome from SQL Server: the connection or the login failed, or the connection broke mid-statement.</summary>
internal sealed class SqlServerUnreachableException : Exception
{
    public SqlServerUnreachableException()
    {
    }

    public SqlServerUnreachableException(string message)
        : base(message)
    {
    }

    public SqlServerUnreachableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
