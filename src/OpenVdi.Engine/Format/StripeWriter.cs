using System.Diagnostics;

namespace OpenVdi.Engine.Format;

/// <summary>
/// Produces the byte stream of one media family, one transfer at a time, into buffers the caller owns
/// (views of the shared-memory buffers a VDI server sends with VDC_Write). The stripe is the media
/// header block, the backup-set header blocks, as many data blocks as this family claims from the
/// shared <see cref="IBackupDataSource"/>, and the trailer block.
/// </summary>
/// <remarks>
/// <para>
/// One writer per family, each driven by one thread at a time; the writers of a media set share one data
/// source, which hands every run of file bytes to exactly one of them, so a family whose device drains
/// faster simply carries more blocks. RESTORE does not depend on which family got which block.
/// </para>
/// <para>
/// No allocation per transfer: the file bytes are read straight into <c>destination</c>, the checksums
/// are computed there, and only the headers (built once at construction) are copied.
/// </para>
/// <example>
/// An engine device loop for family <c>f</c>:
/// <code>
/// var writers = StripeWriter.CreateMediaSet(setHeader, deviceCount, databaseReader);
/// // on the thread serving device f:
/// while (true)
/// {
///     Span&lt;byte&gt; buffer = /* AllocateBuffer: MAXTRANSFERSIZE bytes of the shared buffer area */;
///     int length = writers[f].WriteNext(buffer);
///     if (length == 0) break;                       // trailer already sent: Flush, then Complete
///     /* SendCommand(VDC_Write, buffer, size: length) and wait for a free buffer */
/// }
/// </code>
/// </example>
/// </remarks>
public sealed class StripeWriter
{
    private readonly IBackupDataSource _source;
    private readonly TimeProvider _timeProvider;
    private readonly byte[] _preamble;
    private readonly long[] _fileSizes;
    private readonly int _blockSize;
    private readonly int _maxTransferSize;
    private readonly bool _payloadChecksums;
    private int _preambleSent;
    private bool _sourceDrained;
    private long _position;
    private long _lastSequence = -1;
    private uint _blockDigest;

    /// <summary>Creates the writer of one family.</summary>
    /// <param name="mediaHeader">The family's media header; its media set GUID and BLOCKSIZE must match <paramref name="setHeader"/>.</param>
    /// <param name="setHeader">The backup set, identical for every family.</param>
    /// <param name="source">The data source shared by every family of the media set.</param>
    /// <param name="timeProvider">The clock for the trailer's finish time; the system clock when null.</param>
    /// <exception cref="ArgumentException">A header field cannot be written, or the headers disagree.</exception>
    public StripeWriter(MediaHeader mediaHeader, BackupSetHeader setHeader, IBackupDataSource source, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(mediaHeader);
        ArgumentNullException.ThrowIfNull(setHeader);
        ArgumentNullException.ThrowIfNull(source);
        mediaHeader.Validate();
        byte[] encodedSet = setHeader.Encode();
        if (mediaHeader.MediaSetId != setHeader.MediaSetId || mediaHeader.BlockSize != setHeader.BlockSize)
        {
            throw new ArgumentException("The media header and the backup-set header disagree on the media set GUID or BLOCKSIZE.", nameof(mediaHeader));
        }

        MediaHeader = mediaHeader;
        SetHeader = setHeader;
        _source = source;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _blockSize = setHeader.BlockSize;
        _maxTransferSize = setHeader.MaxTransferSize;
        _payloadChecksums = setHeader.PayloadChecksums;
        _fileSizes = setHeader.Files.Select(file => file.Size).ToArray();

        // The headers are built once: the media header block, then the set header padded to a block.
        _preamble = new byte[_blockSize + BackupStreamFormat.AlignUp(encodedSet.Length, _blockSize)];
        mediaHeader.Write(_preamble);
        encodedSet.CopyTo(_preamble, _blockSize);
    }

    /// <summary>The family's media header.</summary>
    public MediaHeader MediaHeader { get; }

    /// <summary>The backup set being written.</summary>
    public BackupSetHeader SetHeader { get; }

    /// <summary>The 1-based family number.</summary>
    public int FamilyNumber => MediaHeader.FamilyNumber;

    /// <summary>Bytes of the stripe produced so far.</summary>
    public long BytesWritten => _position;

    /// <summary>Data blocks written so far.</summary>
    public long BlockCount { get; private set; }

    /// <summary>Payload bytes written so far.</summary>
    public long PayloadBytes { get; private set; }

    /// <summary>The trailer, once written; <see cref="WriteNext"/> then returns 0.</summary>
    public StripeTrailer? Trailer { get; private set; }

    /// <summary>True once the trailer has been written.</summary>
    public bool IsComplete => Trailer is not null;

    /// <summary>
    /// Creates the writers of every family of a new media set over one shared data source.
    /// </summary>
    /// <param name="setHeader">The backup set; its <see cref="BackupSetHeader.MediaSetId"/> names the media set.</param>
    /// <param name="familyCount">Number of families (devices), 1..64.</param>
    /// <param name="source">The shared data source.</param>
    /// <param name="timeProvider">The clock for the trailers; the system clock when null.</param>
    /// <returns>Writers for families 1..<paramref name="familyCount"/>, at indexes 0..count-1.</returns>
    public static StripeWriter[] CreateMediaSet(BackupSetHeader setHeader, int familyCount, IBackupDataSource source, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(setHeader);
        ArgumentOutOfRangeException.ThrowIfLessThan(familyCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(familyCount, BackupStreamFormat.MaxFamilyCount);
        var writers = new StripeWriter[familyCount];
        for (int i = 0; i < familyCount; i++)
        {
            var media = new MediaHeader(setHeader.MediaSetId, familyCount, i + 1, 1, setHeader.BlockSize, setHeader.StartTime);
            writers[i] = new StripeWriter(media, setHeader, source, timeProvider);
        }

        return writers;
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with the next bytes of the stripe: headers first, then whole
    /// data blocks (file bytes are read straight into the buffer), then the trailer. Only the last
    /// transfer of a stripe is shorter than the buffer.
    /// </summary>
    /// <param name="destination">A buffer of a positive multiple of BLOCKSIZE bytes, at most MAXTRANSFERSIZE.</param>
    /// <returns>The bytes produced, a multiple of BLOCKSIZE; 0 once the trailer has been produced.</returns>
    /// <exception cref="ArgumentException">The buffer is not a positive multiple of BLOCKSIZE up to MAXTRANSFERSIZE.</exception>
    /// <exception cref="IOException">The data source could not read the database files.</exception>
    /// <exception cref="InvalidOperationException">The data source handed out a run outside the file list.</exception>
    public int WriteNext(Span<byte> destination)
    {
        if (destination.Length == 0 || destination.Length % _blockSize != 0 || destination.Length > _maxTransferSize)
        {
            throw new ArgumentException($"A transfer is a positive multiple of BLOCKSIZE {_blockSize} up to MAXTRANSFERSIZE {_maxTransferSize}; got {destination.Length} bytes.", nameof(destination));
        }

        if (IsComplete)
        {
            return 0;
        }

        int written = 0;
        if (_preambleSent < _preamble.Length)
        {
            int count = Math.Min(_preamble.Length - _preambleSent, destination.Length);
            _preamble.AsSpan(_preambleSent, count).CopyTo(destination);
            _preambleSent += count;
            written = count;
        }

        // Whole data blocks while room remains: a block never straddles two transfers, so its header,
        // which carries the payload checksum, can be written after the payload is in the buffer.
        while (!_sourceDrained && _preambleSent == _preamble.Length && written < destination.Length)
        {
            Span<byte> room = destination[written..];
            if (!_source.TryTake(DataBlockDescriptor.MaxPayloadLength(room.Length), out DataExtent extent))
            {
                _sourceDrained = true;
                break;
            }

            CheckExtent(extent, room.Length);
            int blockLength = DataBlockDescriptor.BlockLength(extent.Length, _blockSize);
            Span<byte> block = room[..blockLength];
            Span<byte> payload = block.Slice(DataBlockDescriptor.HeaderLength, extent.Length);
            _source.Read(extent, payload);
            uint payloadChecksum = _payloadChecksums ? Crc32C.Compute(payload) : 0;
            DataBlockHeader.Write(block, FamilyNumber, extent, payloadChecksum);
            block[(DataBlockDescriptor.HeaderLength + extent.Length)..].Clear();
            _blockDigest = Crc32C.Append(_blockDigest, block.Slice(DataBlockDescriptor.HeaderChecksumOffset, BackupStreamFormat.ChecksumLength));

            _lastSequence = extent.Sequence;
            BlockCount++;
            PayloadBytes += extent.Length;
            written += blockLength;
        }

        if (_sourceDrained && written < destination.Length)
        {
            var trailer = new StripeTrailer(
                FamilyNumber,
                MediaHeader.MediaSetId,
                BlockCount,
                PayloadBytes,
                _position + written,
                _timeProvider.GetUtcNow(),
                _blockDigest);
            Span<byte> block = destination.Slice(written, _blockSize);
            block.Clear();
            trailer.Write(block);
            written += _blockSize;
            Trailer = trailer;
        }

        _position += written;
        AssertInvariants();
        return written;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_position % _blockSize == 0, "A stripe is always a whole number of blocks long.");
        Debug.Assert(_preambleSent == _preamble.Length || BlockCount == 0, "No data block is written before the headers are out.");
        Debug.Assert(!IsComplete || _sourceDrained, "The trailer is written only once the data source is drained.");
        Debug.Assert(PayloadBytes <= _fileSizes.Sum(), "A family never carries more payload than the files hold.");
    }

    /// <summary>Rejects a run the source should never have handed out (a bug in the source, not the stream).</summary>
    private void CheckExtent(in DataExtent extent, int room)
    {
        bool valid = (uint)extent.FileIndex < (uint)_fileSizes.Length
            && extent.Length >= 1
            && extent.Length <= DataBlockDescriptor.MaxPayloadLength(room)
            && extent.FileOffset >= 0
            && extent.FileOffset <= _fileSizes[extent.FileIndex] - extent.Length
            && extent.Sequence > _lastSequence;
        if (!valid)
        {
            throw new InvalidOperationException($"The data source handed out {extent}, which lies outside the file list or breaks the ascending sequence.");
        }
    }
}
