namespace OpenVdi.Engine.Format;

/// <summary>
/// What was wrong with a backup stream, carried by <see cref="BackupStreamException.Error"/>.
/// </summary>
public enum BackupStreamError
{
    /// <summary>The stripe does not start with the media header magic: it is not an OpenVdi backup stream.</summary>
    NotABackupStream = 1,

    /// <summary>A structure carries a format version or header length this build does not read.</summary>
    UnsupportedVersion,

    /// <summary>A structure's header checksum does not match its bytes.</summary>
    HeaderChecksumMismatch,

    /// <summary>A data block's payload checksum does not match its payload.</summary>
    PayloadChecksumMismatch,

    /// <summary>A field holds a value outside its documented range (a length, index, size, count or reserved field).</summary>
    InvalidField,

    /// <summary>Padding that must be zero is not.</summary>
    NonZeroPadding,

    /// <summary>A record of an unknown or unexpected kind appears where a data block or trailer belongs.</summary>
    UnexpectedRecord,

    /// <summary>Data blocks of one stripe are not in ascending sequence order.</summary>
    OutOfOrderBlock,

    /// <summary>The stripe trailer disagrees with what the stripe held (block count, bytes, digest, identity).</summary>
    TrailerMismatch,

    /// <summary>The stripe ended before its trailer.</summary>
    Truncated,

    /// <summary>A stripe belongs to a different media set, or disagrees with the others on family count or block size.</summary>
    ForeignMediaSet,

    /// <summary>The same media family was presented twice.</summary>
    DuplicateFamily,

    /// <summary>A media family of the set was not presented.</summary>
    MissingFamily,

    /// <summary>A stripe's copy of the backup-set header differs from the other stripes' copies.</summary>
    SetHeaderMismatch,

    /// <summary>The stream's BLOCKSIZE differs from the one the restore was told to use.</summary>
    BlockSizeMismatch,

    /// <summary>Two data blocks cover the same bytes of a file.</summary>
    OverlappingData,

    /// <summary>Part of a file is covered by no data block of the media set.</summary>
    IncompleteData,
}
