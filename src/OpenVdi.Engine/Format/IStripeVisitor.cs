namespace OpenVdi.Engine.Format;

/// <summary>
/// Receives what a <see cref="StripeReader"/> parses, in stripe order, each item only after it has been
/// validated. Spans are valid only during the call (they may be views of a shared-memory buffer).
/// </summary>
public interface IStripeVisitor
{
    /// <summary>The stripe's media header (first).</summary>
    /// <param name="header">The media header.</param>
    void OnMediaHeader(MediaHeader header);

    /// <summary>The stripe's copy of the backup-set header (second).</summary>
    /// <param name="header">The backup-set header.</param>
    void OnBackupSetHeader(BackupSetHeader header);

    /// <summary>
    /// A data block whose header checks, whose file index and range lie inside the file list, and whose
    /// payload matches its checksum (when the set has payload checksums).
    /// </summary>
    /// <param name="block">The block's header.</param>
    /// <param name="payload">Exactly <see cref="DataBlockHeader.PayloadLength"/> bytes for the file at <see cref="DataBlockHeader.FileOffset"/>.</param>
    void OnDataBlock(in DataBlockHeader block, ReadOnlySpan<byte> payload);

    /// <summary>The trailer (last), after it has been checked against the stripe.</summary>
    /// <param name="trailer">The trailer.</param>
    void OnTrailer(StripeTrailer trailer);
}
