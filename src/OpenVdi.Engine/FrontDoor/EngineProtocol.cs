namespace OpenVdi.Engine.FrontDoor;

/// <summary>
/// The engine daemon's wire protocol, version 1: newline-delimited JSON over a Unix domain stream socket. Each frame
/// is one JSON object on one line, UTF-8, ended by a line feed, with a <c>"type"</c> member. The daemon speaks first
/// (<c>hello</c>, or <c>refused</c> and close); the client sends one <c>execute</c>; the daemon streams
/// <c>message</c>, <c>resultSet</c>/<c>row</c>/<c>endResultSet</c> frames as the statement runs and ends with
/// <c>done</c>, then closes. A <c>cancel</c> frame or the client closing the connection cancels the statement.
/// <c>docs/engine-protocol.md</c> describes every frame with examples.
/// </summary>
public static class EngineProtocol
{
    /// <summary>The protocol version this build speaks, sent in <c>hello</c>.</summary>
    public const int Version = 1;

    /// <summary>The longest frame a client may send (the <c>execute</c> frame with its statement), line feed included.</summary>
    public const int MaxRequestFrameBytes = 1 << 20;

    /// <summary>The longest frame the daemon sends (a <c>row</c> of a result set), line feed included.</summary>
    public const int MaxResponseFrameBytes = 16 << 20;

    /// <summary>The <c>hello</c> frame's <c>engine</c> member.</summary>
    public const string EngineName = "OpenVdi";
}
