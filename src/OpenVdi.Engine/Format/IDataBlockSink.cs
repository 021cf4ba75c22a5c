namespace OpenVdi.Engine.Format;

/// <summary>
/// Where RESTORE puts verified payload: <see cref="DatabaseWriter"/> writes it into the files.
/// </summary>
public interface IDataBlockSink
{
    /// <summary>
    /// Writes <paramref name="payload"/> at <paramref name="fileOffset"/> of file <paramref name="fileIndex"/>.
    /// Called concurrently by the stripes of a media set, never twice for the same bytes; the range is
    /// inside the file as the backup-set header sized it.
    /// </summary>
    /// <param name="fileIndex">Index into <see cref="BackupSetHeader.Files"/>.</param>
    /// <param name="fileOffset">Where the bytes go.</param>
    /// <param name="payload">The bytes; valid only during the call.</param>
    void WriteBlock(int fileIndex, long fileOffset, ReadOnlySpan<byte> payload);
}
