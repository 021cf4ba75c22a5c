using OpenVdi.Engine.Faults;

namespace OpenVdi.Engine.FrontDoor.Internal;

/// <summary>What a client asked the daemon for in its one request frame.</summary>
/// <param name="Type">The frame's type: <c>execute</c>, <c>status</c>, <c>listDatabases</c> or <c>dropDatabase</c>.</param>
/// <param name="Statement">The statement of <c>execute</c>.</param>
/// <param name="Faults">The faults of <c>execute</c>; none otherwise.</param>
/// <param name="Name">The database of <c>dropDatabase</c>.</param>
internal sealed record DaemonRequest(string Type, string? Statement, FaultPlan Faults, string? Name);
