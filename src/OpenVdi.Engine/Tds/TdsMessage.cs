namespace OpenVdi.Engine.Tds;

/// <summary>One message a client sent: its packets' type, the first packet's status, and the payloads joined.</summary>
/// <param name="Type">The packet type.</param>
/// <param name="Status">The first packet's status (the reset-connection bits live there).</param>
/// <param name="Payload">Every packet's data, headers removed, in order.</param>
internal sealed record TdsMessage(TdsPacketType Type, TdsPacketStatus Status, byte[] Payload);
