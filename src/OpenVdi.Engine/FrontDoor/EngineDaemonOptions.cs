using Microsoft.Extensions.Logging;

namespace OpenVdi.Engine.FrontDoor;

/// <summary>How an <see cref="EngineDaemon"/> listens and whom it serves.</summary>
public sealed record EngineDaemonOptions
{
    /// <summary>The socket path; null for <see cref="EngineSocketPath.Default"/>.</summary>
    public string? SocketPath { get; init; }

    /// <summary>
    /// A group (name or numeric id) whose members may connect besides the daemon's own user; null for the user only.
    /// With a group, the socket is 0660 and its directory 0710, both owned by the group.
    /// </summary>
    public string? Group { get; init; }

    /// <summary>
    /// Where the daemon logs, one event a line, each with its level: Information for listening, statements and
    /// their ends; Warning for refusals, protocol errors and statements that failed; Error for engine faults and
    /// failed accepts. Null for no log.
    /// </summary>
    public ILogger? Logger { get; init; }

    /// <summary>How many statements may run at once; a connection beyond is refused as busy. Default 64.</summary>
    public int MaxConcurrentStatements { get; init; } = 64;

    /// <summary>
    /// How many admitted connections may wait to send their statement at once (each for at most
    /// <see cref="RequestTimeout"/>); more get a <c>refused</c> frame with reason <c>busy</c>. Waiting connections hold
    /// no statement slot. Default 256.
    /// </summary>
    public int MaxWaitingConnections { get; init; } = 256;

    /// <summary>How long a connected client has to send its statement. Default 30 seconds.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When stopping, how long to wait for cancelled statements to end and their answers to be sent, before the
    /// connections are closed regardless. Default 30 seconds.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
