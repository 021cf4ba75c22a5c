namespace OpenVdi.Engine.Statements;

/// <summary>
/// A parsed and checked BACKUP or RESTORE statement: the parts both share. Option properties are
/// null when the statement does not give the option, so that the engine can tell "not given" from a
/// value and apply its own default.
/// </summary>
public abstract record Statement
{
    // Only the two statement records of this assembly derive from it.
    private protected Statement()
    {
    }

    /// <summary>
    /// The <c>VIRTUAL_DEVICE</c> names in the order written (1 to 64): the first is the name of the
    /// virtual device set, the others name its further devices.
    /// </summary>
    public EquatableList<string> Devices { get; init; } = EquatableList.Empty<string>();

    /// <summary><c>BLOCKSIZE</c>: a power of two from 512 to 65536; null when not given.</summary>
    public int? BlockSize { get; init; }

    /// <summary><c>BUFFERCOUNT</c>: a positive number of buffers shared by all devices; null when not given.</summary>
    public int? BufferCount { get; init; }

    /// <summary><c>MAXTRANSFERSIZE</c>: a multiple of 65536 from 65536 to 4194304; null when not given.</summary>
    public int? MaxTransferSize { get; init; }

    /// <summary>True for <c>CHECKSUM</c>, false for <c>NO_CHECKSUM</c>, null when neither is given.</summary>
    public bool? Checksum { get; init; }

    /// <summary><c>STATS</c>: the progress interval in percent, 1 to 100 (10 when written without a value); null when not given.</summary>
    public int? Stats { get; init; }

    /// <summary>
    /// The operation as SQL Server names it in messages 3013 and 3014: <c>BACKUP DATABASE</c>,
    /// <c>BACKUP LOG</c>, <c>RESTORE DATABASE</c>, <c>RESTORE LOG</c>, <c>VERIFY DATABASE</c>,
    /// <c>RESTORE HEADERONLY</c>, <c>RESTORE FILELIST</c> or <c>RESTORE LABELONLY</c>.
    /// </summary>
    public abstract string OperationName { get; }
}
