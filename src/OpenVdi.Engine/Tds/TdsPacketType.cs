namespace OpenVdi.Engine.Tds;

/// <summary>The type byte of a TDS packet header (MS-TDS 2.2.3.1.1): what the message is.</summary>
internal enum TdsPacketType : byte
{
    /// <summary>A T-SQL batch: ALL_HEADERS, then the text in UTF-16.</summary>
    SqlBatch = 1,

    /// <summary>A login of TDS 4.2 and earlier, which the engine does not accept.</summary>
    PreTds7Login = 2,

    /// <summary>A remote procedure call (sp_executesql).</summary>
    Rpc = 3,

    /// <summary>The server's answer: a token stream.</summary>
    TabularResult = 4,

    /// <summary>The client's cancel of the request running.</summary>
    Attention = 6,

    /// <summary>Bulk load data.</summary>
    BulkLoad = 7,

    /// <summary>A federated authentication token.</summary>
    FederatedAuthenticationToken = 8,

    /// <summary>A transaction manager request (BEGIN, COMMIT … through the API).</summary>
    TransactionManager = 14,

    /// <summary>The LOGIN7 record.</summary>
    Login7 = 16,

    /// <summary>SSPI (integrated authentication) data.</summary>
    Sspi = 17,

    /// <summary>PRELOGIN, and the TLS handshake wrapped in it.</summary>
    PreLogin = 18,
}
