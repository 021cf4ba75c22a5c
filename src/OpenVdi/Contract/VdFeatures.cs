namespace OpenVdi;

/// <summary>Feature bits of <c>VDConfig.features</c> (<c>VDFeatures</c> in <c>vdi.h</c>).</summary>
[Flags]
public enum VdFeatures : uint
{
    /// <summary>Purely sequential device: no positioning (the value 0).</summary>
    VDF_LikePipe = 0,

    /// <summary>Media can be changed (VDC_Load, end-of-media handling).</summary>
    VDF_Removable = 0x1,

    /// <summary>The device supports VDC_Rewind.</summary>
    VDF_Rewind = 0x2,

    /// <summary>The device supports VDC_GetPosition / VDC_SetPosition with block addresses.</summary>
    VDF_Position = 0x10,

    /// <summary>The device supports VDC_SkipBlocks.</summary>
    VDF_SkipBlocks = 0x20,

    /// <summary>The device can position backwards.</summary>
    VDF_ReversePosition = 0x40,

    /// <summary>The device supports VDC_Discard.</summary>
    VDF_Discard = 0x80,

    /// <summary>The device supports filemarks (VDC_WriteMark, VDC_SkipMarks).</summary>
    VDF_FileMarks = 0x100,

    /// <summary>Disk-like: every Read and Write carries a byte position.</summary>
    VDF_RandomAccess = 0x200,

    /// <summary>Ask for VDC_PrepareToFreeze before a snapshot freeze.</summary>
    VDF_SnapshotPrepare = 0x400,

    /// <summary>Undocumented.</summary>
    VDF_EnumFrozenFiles = 0x800,

    /// <summary>Undocumented (SQL Writer).</summary>
    VDF_VSSWriter = 0x1000,

    /// <summary>The client asks for VDC_Complete at the end of a backup.</summary>
    VDF_RequestComplete = 0x2000,

    /// <summary>Set by the server: it will write to the device (BACKUP).</summary>
    VDF_WriteMedia = 0x10000,

    /// <summary>Set by the server: it will read from the device (RESTORE).</summary>
    VDF_ReadMedia = 0x20000,

    /// <summary>Set by the server: it will send VDC_Complete.</summary>
    VDF_CompleteEnabled = 0x40000,

    /// <summary>Undocumented.</summary>
    VDF_LatchStats = 0x80000000,

    /// <summary>Tape-like: FileMarks, Removable, Rewind, Position, SkipBlocks, ReversePosition (0x173).</summary>
    VDF_LikeTape = VDF_FileMarks | VDF_Removable | VDF_Rewind | VDF_Position | VDF_SkipBlocks | VDF_ReversePosition,

    /// <summary>Disk-like: RandomAccess (0x200).</summary>
    VDF_LikeDisk = VDF_RandomAccess,
}
