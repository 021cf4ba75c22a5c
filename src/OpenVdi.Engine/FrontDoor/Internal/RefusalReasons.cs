namespace OpenVdi.Engine.FrontDoor.Internal;

/// <summary>The values of a <c>refused</c> frame's <c>"reason"</c> member.</summary>
internal static class RefusalReasons
{
    /// <summary>The peer's user and groups may not use this daemon.</summary>
    public const string PeerCredentials = "peer-credentials";

    /// <summary>The daemon runs as many statements as it allows.</summary>
    public const string Busy = "busy";

    /// <summary>The daemon is shutting down.</summary>
    public const string Stopping = "stopping";
}
