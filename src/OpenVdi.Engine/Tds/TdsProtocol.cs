namespace OpenVdi.Engine.Tds;

/// <summary>The fixed numbers of TDS as the engine speaks it: version, packet sizes, and its own limits on what a client may send.</summary>
internal static class TdsProtocol
{
    /// <summary>Every packet starts with an 8-byte header: type, status, length (big-endian, header included), SPID, packet id, window.</summary>
    public const int HeaderLength = 8;

    /// <summary>The largest packet TDS allows (the length field's limit, as SQL Server caps it).</summary>
    public const int MaxPacketSize = 32767;

    /// <summary>The smallest packet size a client may ask for.</summary>
    public const int MinPacketSize = 512;

    /// <summary>The packet size before LOGIN7 settles one.</summary>
    public const int DefaultPacketSize = 4096;

    /// <summary>TDS 7.4 (SQL Server 2012 and later), as LOGIN7 and LOGINACK carry it.</summary>
    public const uint Version74 = 0x74000004;

    /// <summary>TDS 7.2 (SQL Server 2005), the oldest version the engine accepts: ALL_HEADERS, 8-byte row counts and the line numbers of its tokens start there.</summary>
    public const uint Version72 = 0x72090002;

    /// <summary>The version the engine reports (PRELOGIN VERSION, LOGINACK): SQL Server 2022's major and minor, so clients enable what they would for it.</summary>
    public const byte ServerMajorVersion = 16;

    /// <summary>See <see cref="ServerMajorVersion"/>.</summary>
    public const byte ServerMinorVersion = 0;

    /// <summary>See <see cref="ServerMajorVersion"/>.</summary>
    public const ushort ServerBuild = 1000;

    /// <summary>The largest PRELOGIN message (options, or a TLS handshake flight) the engine reads.</summary>
    public const int MaxPreLoginBytes = 64 << 10;

    /// <summary>The largest LOGIN7 record (MS-TDS caps it at 128 KiB).</summary>
    public const int MaxLoginBytes = 128 << 10;

    /// <summary>The largest SQL batch or RPC the engine reads: its statements are short; this bounds what a client can make it hold.</summary>
    public const int MaxRequestBytes = 4 << 20;

    /// <summary>The procedure id of sp_executesql in an RPC (MS-TDS 2.2.6.6).</summary>
    public const ushort ProcIdExecuteSql = 10;

    /// <summary>The collation the engine declares (SQL_Latin1_General_CP1_CI_AS: LCID 1033, flags, sort id 52), as ENVCHANGE and COLMETADATA carry it.</summary>
    public static ReadOnlySpan<byte> Collation => [0x09, 0x04, 0xD0, 0x00, 0x34];
}
