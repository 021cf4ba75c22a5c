namespace OpenVdi.Engine.Tds;

/// <summary>The token types the engine sends (MS-TDS 2.2.7).</summary>
internal enum TdsTokenType : byte
{
    /// <summary>RETURNSTATUS: a procedure's return value.</summary>
    ReturnStatus = 0x79,

    /// <summary>COLMETADATA: a result set's columns.</summary>
    ColumnMetadata = 0x81,

    /// <summary>ERROR: an error message.</summary>
    Error = 0xAA,

    /// <summary>INFO: an informational message.</summary>
    Info = 0xAB,

    /// <summary>LOGINACK: the login succeeded.</summary>
    LoginAck = 0xAD,

    /// <summary>FEATUREEXTACK: which of the client's feature extensions the server took.</summary>
    FeatureExtAck = 0xAE,

    /// <summary>ROW: a row of the open result set.</summary>
    Row = 0xD1,

    /// <summary>ENVCHANGE: a session setting changed (database, language, packet size, collation).</summary>
    EnvChange = 0xE3,

    /// <summary>DONE: a SQL statement or the request ended.</summary>
    Done = 0xFD,

    /// <summary>DONEPROC: a procedure (an RPC) ended.</summary>
    DoneProc = 0xFE,

    /// <summary>DONEINPROC: a statement inside a procedure ended.</summary>
    DoneInProc = 0xFF,
}
