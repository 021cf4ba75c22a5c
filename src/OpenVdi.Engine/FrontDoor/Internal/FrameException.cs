namespace OpenVdi.Engine.FrontDoor.Internal;

/// <summary>A frame that breaks the protocol: not JSON, too long, cut short, or missing a member.</summary>
internal sealed class FrameException : Exception
{
    public FrameException()
    {
    }

    public FrameException(string message)
        : base(message)
    {
    }

    public FrameException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
