namespace OpenVdi.Engine.Tds;

/// <summary>The ENCRYPTION option of PRELOGIN (MS-TDS 2.2.6.5): what each side offers, and what the server settles.</summary>
internal enum TdsEncryption : byte
{
    /// <summary>Client: encryption available, not wanted; server: only the login is encrypted.</summary>
    Off = 0x00,

    /// <summary>Encryption on for the whole session.</summary>
    On = 0x01,

    /// <summary>Encryption not available: nothing is encrypted, the login included.</summary>
    NotSupported = 0x02,

    /// <summary>Server: encryption required for the whole session; client: encryption wanted.</summary>
    Required = 0x03,
}
