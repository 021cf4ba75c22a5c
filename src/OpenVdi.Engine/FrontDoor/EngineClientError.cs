namespace OpenVdi.Engine.FrontDoor;

/// <summary>Why an <see cref="EngineClient"/> could not get a statement's answer.</summary>
public enum EngineClientError
{
    /// <summary>No daemon listens on the socket path (no file, or a stale socket).</summary>
    NotRunning,

    /// <summary>The daemon refused the connection: this user is not allowed (or the socket file's permissions refused it).</summary>
    Refused,

    /// <summary>The daemon is running its limit of statements.</summary>
    Busy,

    /// <summary>The daemon is shutting down; it cancelled the statement or would not take it.</summary>
    Stopping,

    /// <summary>The connection ended before the statement's answer was complete.</summary>
    ConnectionLost,

    /// <summary>The daemon sent something the protocol does not allow, or speaks another protocol version.</summary>
    ProtocolViolation,

    /// <summary>The engine failed with an internal error rather than a statement outcome.</summary>
    EngineFault,
}
