namespace OpenVdi.Engine.Tds;

/// <summary>The status bits of a TDS packet header (MS-TDS 2.2.3.1.2).</summary>
[Flags]
internal enum TdsPacketStatus : byte
{
    /// <summary>More packets of the message follow.</summary>
    Normal = 0x00,

    /// <summary>The last packet of the message.</summary>
    EndOfMessage = 0x01,

    /// <summary>With EndOfMessage: the client asks the server to ignore the message (a cancelled bulk send).</summary>
    Ignore = 0x02,

    /// <summary>The client reuses a pooled connection and asks for a session reset first.</summary>
    ResetConnection = 0x08,

    /// <summary>As ResetConnection, keeping the transaction state.</summary>
    ResetConnectionSkipTransaction = 0x10,
}
