using System.Reflection;

namespace OpenVdi.Engine.FrontDoor;

/// <summary>A running daemon, as its <c>status</c> frame describes it (<see cref="EngineClient.GetStatusAsync"/>).</summary>
public sealed record EngineStatus
{
    /// <summary>This build's version (the packages' version), as <c>vdi --version</c> prints it.</summary>
    public static string ThisVersion { get; } =
        typeof(EngineStatus).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>The daemon's version.</summary>
    public required string Version { get; init; }

    /// <summary>The daemon's process id.</summary>
    public required int ProcessId { get; init; }

    /// <summary>The socket it listens on.</summary>
    public required string SocketPath { get; init; }

    /// <summary>When it started listening.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>The statements it runs now.</summary>
    public int RunningStatements { get; init; }

    /// <summary>Its data directory, when its engine has databases.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>How many databases it has, when known.</summary>
    public int? Databases { get; init; }
}
