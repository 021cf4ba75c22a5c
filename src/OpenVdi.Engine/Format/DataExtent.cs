namespace OpenVdi.Engine.Format;

/// <summary>
/// A run of bytes of one database file that becomes the payload of one data block: handed out by an
/// <see cref="IBackupDataSource"/>, in ascending <see cref="Sequence"/> order.
/// </summary>
/// <param name="Sequence">The block number within the media set (0, 1, 2, … in hand-out order).</param>
/// <param name="FileIndex">Index into <see cref="BackupSetHeader.Files"/>.</param>
/// <param name="FileOffset">Offset of the first byte in the file.</param>
/// <param name="Length">Number of bytes, at least 1.</param>
public readonly record struct DataExtent(long Sequence, int FileIndex, long FileOffset, int Length);
