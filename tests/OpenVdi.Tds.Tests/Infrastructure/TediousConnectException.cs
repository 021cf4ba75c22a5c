namespace OpenVdi.Tds.Tests.Infrastructure;

/// <summary>tedious could not connect or log in; the message is tedious's own.</summary>
public sealed class TediousConnectException : Exception
{
    public TediousConnectException()
    {
    }

    public TediousConnectException(string message)
        : base(message)
    {
    }

    public TediousConnectException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
