namespace OpenVdi;

/// <summary>The command codes of <c>VDC_Command.commandCode</c> (<c>VDCommands</c> in <c>vdi.h</c>).</summary>
public enum VdCommandCode : uint
{
    /// <summary>Copy <c>size</c> bytes from the device into the buffer (RESTORE).</summary>
    VDC_Read = 1,

    /// <summary>Store <c>size</c> bytes of the buffer on the device (BACKUP).</summary>
    VDC_Write = 2,

    /// <summary>Take the device out of the IO-ERROR state.</summary>
    VDC_ClearError = 3,

    /// <summary>Position at the beginning of the media (VDF_Rewind).</summary>
    VDC_Rewind = 4,

    /// <summary>Write a filemark (VDF_FileMarks).</summary>
    VDC_WriteMark = 5,

    /// <summary>Skip <c>size</c> filemarks (VDF_FileMarks).</summary>
    VDC_SkipMarks = 6,

    /// <summary>Skip <c>size</c> blocks (VDF_SkipBlocks).</summary>
    VDC_SkipBlocks = 7,

    /// <summary>Load the next media (VDF_Removable).</summary>
    VDC_Load = 8,

    /// <summary>Report the current position (VDF_Position or VDF_RandomAccess).</summary>
    VDC_GetPosition = 9,

    /// <summary>Set the position (VDF_Position or VDF_RandomAccess).</summary>
    VDC_SetPosition = 10,

    /// <summary>Discard the current media (VDF_Discard).</summary>
    VDC_Discard = 11,

    /// <summary>Make everything written so far durable. May come more than once in a backup.</summary>
    VDC_Flush = 12,

    /// <summary>BACKUP WITH SNAPSHOT: take the snapshot now.</summary>
    VDC_Snapshot = 13,

    /// <summary>RESTORE WITH SNAPSHOT: make the snapshot's files available.</summary>
    VDC_MountSnapshot = 14,

    /// <summary>Sent before the freeze when the client set VDF_SnapshotPrepare.</summary>
    VDC_PrepareToFreeze = 15,

    /// <summary>Undocumented (SQL Writer); clients answer ERROR_NOT_SUPPORTED.</summary>
    VDC_FileInfoBegin = 16,

    /// <summary>Undocumented (SQL Writer); clients answer ERROR_NOT_SUPPORTED.</summary>
    VDC_FileInfoEnd = 17,

    /// <summary>Undocumented; clients answer ERROR_NOT_SUPPORTED.</summary>
    VDC_GetError = 18,

    /// <summary>All data has been sent (after the last Flush), when VDF_CompleteEnabled was negotiated.</summary>
    VDC_Complete = 19,
}
