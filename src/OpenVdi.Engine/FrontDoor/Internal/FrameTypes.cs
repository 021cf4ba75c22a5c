namespace OpenVdi.Engine.FrontDoor.Internal;

/// <summary>The values of a frame's <c>"type"</c> member (docs/engine-protocol.md).</summary>
internal static class FrameTypes
{
    // Daemon to client.
    public const string Hello = "hello";
    public const string Refused = "refused";
    public const string Message = "message";
    public const string ResultSet = "resultSet";
    public const string Row = "row";
    public const string EndResultSet = "endResultSet";
    public const string Done = "done";
    public const string Error = "error";
    public const string Status = "status";
    public const string Databases = "databases";

    // Client to daemon ("status" is both the request and its answer).
    public const string Execute = "execute";
    public const string Cancel = "cancel";
    public const string ListDatabases = "listDatabases";
    public const string DropDatabase = "dropDatabase";
}
