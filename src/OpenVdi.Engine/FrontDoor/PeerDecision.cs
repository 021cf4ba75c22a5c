namespace OpenVdi.Engine.FrontDoor;

/// <summary>Whether a peer may use the daemon, and why.</summary>
/// <param name="Allowed">True when the peer may send statements.</param>
/// <param name="Reason">Why, in a sentence: for a refusal, the text sent to the peer and written to the daemon's log.</param>
public readonly record struct PeerDecision(bool Allowed, string Reason);
