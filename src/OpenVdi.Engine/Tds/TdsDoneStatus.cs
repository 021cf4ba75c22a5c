namespace OpenVdi.Engine.Tds;

/// <summary>The status bits of DONE, DONEPROC and DONEINPROC (MS-TDS 2.2.7.6).</summary>
[Flags]
internal enum TdsDoneStatus : ushort
{
    /// <summary>The final DONE of the request.</summary>
    Final = 0x0000,

    /// <summary>More results follow in this response.</summary>
    More = 0x0001,

    /// <summary>The statement failed (an ERROR token came before).</summary>
    Error = 0x0002,

    /// <summary>A transaction is open.</summary>
    InTransaction = 0x0004,

    /// <summary>The row count is valid (a result set's rows).</summary>
    Count = 0x0010,

    /// <summary>The acknowledgement of the client's ATTENTION.</summary>
    Attention = 0x0020,

    /// <summary>A severe error: the results are to be discarded.</summary>
    ServerError = 0x0100,
}
