namespace OpenVdi.Engine.Tds;

/// <summary>A client broke TDS: a malformed packet, an impossible length, a message out of turn. The session closes.</summary>
internal sealed class TdsProtocolException : Exception
{
    public TdsProtocolException()
    {
    }

    public TdsProtocolException(string message)
        : base(message)
    {
    }

    public TdsProtocolException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
