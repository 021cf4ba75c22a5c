using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;

namespace OpenVdi.Engine.Format;

/// <summary>
/// Parses and validates the byte stream of one media family as it arrives in chunks of any size (a
/// RESTORE reads multiples of BLOCKSIZE, not necessarily in the sizes the BACKUP wrote), and hands each
/// validated item to an <see cref="IStripeVisitor"/>.
/// </summary>
/// <remarks>
/// <para>
/// Every length, index, offset, count and checksum read from the stream is checked before it is used; a
/// corrupt or hostile stripe ends in a <see cref="BackupStreamException"/> that names the fault, the family
/// and the stripe offset, never in an out-of-range access. After a fault the reader refuses further input.
/// </para>
/// <para>
/// A data block that lies inside one chunk is delivered straight from the chunk; one that straddles chunks
/// is gathered into a pooled buffer first. Either way its payload checksum is verified before delivery.
/// One reader per stripe, used by one thread at a time.
/// </para>
/// <example>
/// An engine device loop for RESTORE, one reader per device:
/// <code>
/// var reader = new StripeReader();
/// while (!reader.IsComplete)
/// {
///     /* SendCommand(VDC_Read, buffer, size: MAXTRANSFERSIZE) and wait for its completion */
///     reader.Consume(buffer[..bytesTransferred], visitor);   // throws BackupStreamException
///     if (endOfData) break;                                  // ERROR_HANDLE_EOF
/// }
/// reader.Complete();   // throws BackupStreamException (Truncated) when the trailer never came
/// </code>
/// For RESTORE HEADERONLY, read until <see cref="SetHeader"/> is not null and stop.
/// </example>
/// </remarks>
public sealed class StripeReader
{
    private const int StageCapacity = BackupSetHeaderDescriptor.FixedLength;
    private const int InitialSetHeaderCapacity = 64 * 1024;

    private readonly int _expectedBlockSize;
    private readonly byte[] _stage = new byte[StageCapacity];
    private int _staged;
    private Phase _phase = Phase.MediaHeader;
    private Phase _afterPadding;
    private int _paddingRemaining;
    private long _position;
    private long _structureStart;
    private byte[] _setHeaderBytes = [];
    private int _setHeaderLength;
    private int _setHeaderReceived;
    private DataBlockHeader _block;
    private byte[]? _gathered;
    private int _gatheredLength;
    private long _lastSequence = -1;
    private uint _blockDigest;
    private Exception? _fault;

    /// <summary>Creates a reader for one stripe.</summary>
    /// <param name="expectedBlockSize">
    /// The BLOCKSIZE the restore was told to use; a stripe with another is refused with
    /// <see cref="BackupStreamError.BlockSizeMismatch"/>. 0 accepts the stripe's own.
    /// </param>
    public StripeReader(int expectedBlockSize = 0)
    {
        if (expectedBlockSize != 0 && !BackupStreamFormat.IsValidBlockSize(expectedBlockSize))
        {
            throw new ArgumentOutOfRangeException(nameof(expectedBlockSize), expectedBlockSize, "BLOCKSIZE is a power of two from 512 to 65536, or 0.");
        }

        _expectedBlockSize = expectedBlockSize;
    }

    private enum Phase
    {
        MediaHeader,
        SetHeaderFixed,
        SetHeaderBody,
        Record,
        Payload,
        Padding,
        Complete,
        Faulted,
    }

    /// <summary>The media header, once read (RESTORE LABELONLY).</summary>
    public MediaHeader? MediaHeader { get; private set; }

    /// <summary>The backup-set header, once read (RESTORE HEADERONLY and FILELISTONLY).</summary>
    public BackupSetHeader? SetHeader { get; private set; }

    /// <summary>The trailer, once read and checked.</summary>
    public StripeTrailer? Trailer { get; private set; }

    /// <summary>The family number from the media header; 0 until it is read.</summary>
    public int FamilyNumber => MediaHeader?.FamilyNumber ?? 0;

    /// <summary>True once the trailer has been read and checked; bytes after it are ignored.</summary>
    public bool IsComplete => _phase == Phase.Complete;

    /// <summary>Bytes of the stripe consumed so far.</summary>
    public long Position => _position;

    /// <summary>Data blocks delivered so far.</summary>
    public long BlockCount { get; private set; }

    /// <summary>Payload bytes delivered so far.</summary>
    public long PayloadBytes { get; private set; }

    /// <summary>The encoded backup-set header as it stood in the stripe, for comparing stripes' copies.</summary>
    internal ReadOnlySpan<byte> SetHeaderBytes => _setHeaderBytes.AsSpan(0, SetHeader is null ? 0 : _setHeaderLength);

    private StreamLocation At => new(FamilyNumber, _structureStart);

    /// <summary>
    /// Consumes the next bytes of the stripe and hands every item completed by them to
    /// <paramref name="visitor"/>. Bytes after the trailer are ignored.
    /// </summary>
    /// <param name="chunk">The next bytes, of any length.</param>
    /// <param name="visitor">Receives the parsed items; null only validates them.</param>
    /// <exception cref="BackupStreamException">The stripe is corrupt, hostile, or not what was expected.</exception>
    /// <exception cref="InvalidOperationException">The reader already failed.</exception>
    public void Consume(ReadOnlySpan<byte> chunk, IStripeVisitor? visitor = null)
    {
        ThrowIfFaulted();
        try
        {
            ConsumeCore(chunk, visitor);
        }
        catch (Exception e) when (MarkFaulted(e))
        {
            // Never reached: the filter records the fault and lets the exception pass unchanged.
        }
    }

    /// <summary>
    /// Declares the end of the stripe (the device reported end of data). Does nothing when the trailer was
    /// read; otherwise the stripe is truncated.
    /// </summary>
    /// <exception cref="BackupStreamException">The stripe ended before its trailer (<see cref="BackupStreamError.Truncated"/>).</exception>
    /// <exception cref="InvalidOperationException">The reader already failed.</exception>
    public void Complete()
    {
        ThrowIfFaulted();
        if (_phase == Phase.Complete)
        {
            return;
        }

        string where = (_phase == Phase.Padding ? _afterPadding : _phase) switch
        {
            Phase.MediaHeader => "before its media header was complete",
            Phase.SetHeaderFixed or Phase.SetHeaderBody => "inside its backup-set header",
            Phase.Payload => string.Create(CultureInfo.InvariantCulture, $"inside the data block at offset {_block.StreamOffset}"),
            Phase.Complete => "inside the padding of its trailer block",
            _ => "before its trailer",
        };
        var fault = new BackupStreamException(
            BackupStreamError.Truncated,
            FamilyNumber,
            _position,
            string.Create(CultureInfo.InvariantCulture, $"The stripe ended after {_position} bytes, {where}; it is truncated."));
        MarkFaulted(fault);
        throw fault;
    }

    private void ConsumeCore(ReadOnlySpan<byte> chunk, IStripeVisitor? visitor)
    {
        while (!chunk.IsEmpty && _phase != Phase.Complete)
        {
            switch (_phase)
            {
                case Phase.MediaHeader:
                    if (Stage(ref chunk, MediaHeaderDescriptor.Length))
                    {
                        AcceptMediaHeader(visitor);
                    }

                    break;

                case Phase.SetHeaderFixed:
                    if (Stage(ref chunk, BackupSetHeaderDescriptor.FixedLength))
                    {
                        _setHeaderLength = BackupSetHeaderDescriptor.CheckFixedPart(_stage, At);

                        // Grown as bytes arrive, so a forged length costs no more memory than the bytes sent.
                        _setHeaderBytes = new byte[Math.Min(_setHeaderLength, InitialSetHeaderCapacity)];
                        _stage.AsSpan(0, BackupSetHeaderDescriptor.FixedLength).CopyTo(_setHeaderBytes);
                        _setHeaderReceived = BackupSetHeaderDescriptor.FixedLength;
                        _staged = 0;
                        _phase = Phase.SetHeaderBody;
                    }

                    break;

                case Phase.SetHeaderBody:
                    GatherSetHeader(ref chunk, visitor);
                    break;

                case Phase.Record:
                    ReadRecordHeader(ref chunk, visitor);
                    break;

                case Phase.Payload:
                    ReadPayload(ref chunk, visitor);
                    break;

                case Phase.Padding:
                    SkipPadding(ref chunk);
                    break;

                default:
                    throw new InvalidOperationException($"The stripe reader is in phase {_phase}, which consumes no input.");
            }
        }
    }

    /// <summary>Copies input into the staging area until it holds <paramref name="needed"/> bytes.</summary>
    private bool Stage(ref ReadOnlySpan<byte> chunk, int needed)
    {
        int count = Math.Min(needed - _staged, chunk.Length);
        if (count > 0)
        {
            chunk[..count].CopyTo(_stage.AsSpan(_staged));
            chunk = chunk[count..];
            _staged += count;
            _position += count;
        }

        return _staged >= needed;
    }

    private void AcceptMediaHeader(IStripeVisitor? visitor)
    {
        var media = Format.MediaHeader.Read(_stage, At);
        if (_expectedBlockSize != 0 && media.BlockSize != _expectedBlockSize)
        {
            throw new BackupStreamException(
                BackupStreamError.BlockSizeMismatch,
                media.FamilyNumber,
                _structureStart,
                string.Create(CultureInfo.InvariantCulture, $"The stripe was written with BLOCKSIZE {media.BlockSize}, but the restore uses {_expectedBlockSize}; RESTORE must use the backup's BLOCKSIZE."));
        }

        MediaHeader = media;
        _staged = 0;
        visitor?.OnMediaHeader(media);
        BeginPadding(Phase.SetHeaderFixed);
    }

    private void GatherSetHeader(ref ReadOnlySpan<byte> chunk, IStripeVisitor? visitor)
    {
        int count = Math.Min(_setHeaderLength - _setHeaderReceived, chunk.Length);
        if (_setHeaderReceived + count > _setHeaderBytes.Length)
        {
            Array.Resize(ref _setHeaderBytes, Math.Min(_setHeaderLength, Math.Max(_setHeaderBytes.Length * 2, _setHeaderReceived + count)));
        }

        chunk[..count].CopyTo(_setHeaderBytes.AsSpan(_setHeaderReceived));
        chunk = chunk[count..];
        _setHeaderReceived += count;
        _position += count;
        if (_setHeaderReceived < _setHeaderLength)
        {
            return;
        }

        var set = BackupSetHeader.Read(_setHeaderBytes.AsSpan(0, _setHeaderLength), At);
        var media = MediaHeader!;
        if (set.MediaSetId != media.MediaSetId || set.BlockSize != media.BlockSize)
        {
            throw At.Fault(
                BackupStreamError.InvalidField,
                string.Create(CultureInfo.InvariantCulture, $"The backup-set header names media set {set.MediaSetId} with BLOCKSIZE {set.BlockSize}, but the media header names {media.MediaSetId} with {media.BlockSize}."));
        }

        SetHeader = set;
        visitor?.OnBackupSetHeader(set);
        BeginPadding(Phase.Record);
    }

    private void ReadRecordHeader(ref ReadOnlySpan<byte> chunk, IStripeVisitor? visitor)
    {
        if (!Stage(ref chunk, sizeof(uint)))
        {
            return;
        }

        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(_stage);
        int needed = magic switch
        {
            DataBlockDescriptor.Magic => DataBlockDescriptor.HeaderLength,
            StripeTrailerDescriptor.Magic => StripeTrailerDescriptor.Length,
            _ => throw At.Fault(
                BackupStreamError.UnexpectedRecord,
                string.Create(CultureInfo.InvariantCulture, $"A data block or the trailer was expected, but the block starts with 0x{magic:X8}.")),
        };
        if (!Stage(ref chunk, needed))
        {
            return;
        }

        _staged = 0;
        if (magic == DataBlockDescriptor.Magic)
        {
            AcceptDataBlockHeader();
        }
        else
        {
            AcceptTrailer(visitor);
        }
    }

    private void AcceptDataBlockHeader()
    {
        DataBlockDescriptor.CheckHeader(_stage, At);
        var block = DataBlockHeader.Read(_stage, _structureStart);
        var set = SetHeader!;
        string? fault = null;
        if (block.FamilyNumber != FamilyNumber)
        {
            fault = $"it names family {block.FamilyNumber}";
        }
        else if ((uint)block.FileIndex >= (uint)set.Files.Count)
        {
            fault = $"its file index {block.FileIndex} is outside the file list of {set.Files.Count}";
        }
        else if (block.PayloadLength < 1 || block.PayloadLength > DataBlockDescriptor.MaxPayloadLength(set.MaxTransferSize))
        {
            fault = $"its payload length {block.PayloadLength} is not 1..{DataBlockDescriptor.MaxPayloadLength(set.MaxTransferSize)}";
        }
        else if (block.FileOffset < 0 || block.FileOffset > set.Files[block.FileIndex].Size - block.PayloadLength)
        {
            fault = $"its range {block.FileOffset}+{block.PayloadLength} lies outside file {block.FileIndex} of {set.Files[block.FileIndex].Size} bytes";
        }
        else if (!set.PayloadChecksums && block.PayloadChecksum != 0)
        {
            fault = "it carries a payload checksum although the set has none";
        }

        if (fault is not null)
        {
            throw At.Fault(BackupStreamError.InvalidField, string.Create(CultureInfo.InvariantCulture, $"The data block is not valid: {fault}."));
        }

        if (block.Sequence <= _lastSequence)
        {
            throw At.Fault(
                BackupStreamError.OutOfOrderBlock,
                string.Create(CultureInfo.InvariantCulture, $"The data block has sequence {block.Sequence}, not after the previous block's {_lastSequence}."));
        }

        _block = block;
        _gatheredLength = 0;
        _phase = Phase.Payload;
    }

    private void ReadPayload(ref ReadOnlySpan<byte> chunk, IStripeVisitor? visitor)
    {
        int length = _block.PayloadLength;
        if (_gatheredLength == 0 && chunk.Length >= length)
        {
            // The whole payload is in this chunk: deliver it in place, without a copy.
            ReadOnlySpan<byte> payload = chunk[..length];
            chunk = chunk[length..];
            _position += length;
            DeliverBlock(payload, visitor);
            return;
        }

        _gathered ??= ArrayPool<byte>.Shared.Rent(length);
        int count = Math.Min(length - _gatheredLength, chunk.Length);
        chunk[..count].CopyTo(_gathered.AsSpan(_gatheredLength));
        chunk = chunk[count..];
        _gatheredLength += count;
        _position += count;
        if (_gatheredLength == length)
        {
            byte[] gathered = _gathered;
            _gathered = null;
            DeliverBlock(gathered.AsSpan(0, length), visitor);
            ArrayPool<byte>.Shared.Return(gathered);
        }
    }

    private void DeliverBlock(ReadOnlySpan<byte> payload, IStripeVisitor? visitor)
    {
        if (SetHeader!.PayloadChecksums)
        {
            uint computed = Crc32C.Compute(payload);
            if (computed != _block.PayloadChecksum)
            {
                throw At.Fault(
                    BackupStreamError.PayloadChecksumMismatch,
                    string.Create(CultureInfo.InvariantCulture, $"The payload of data block {_block.Sequence} (file {_block.FileIndex}, file offset {_block.FileOffset}, {_block.PayloadLength} bytes) has checksum 0x{computed:X8}, not the recorded 0x{_block.PayloadChecksum:X8}."));
            }
        }

        Span<byte> checksum = stackalloc byte[BackupStreamFormat.ChecksumLength];
        BinaryPrimitives.WriteUInt32LittleEndian(checksum, _block.HeaderChecksum);
        _blockDigest = Crc32C.Append(_blockDigest, checksum);
        _lastSequence = _block.Sequence;
        BlockCount++;
        PayloadBytes += _block.PayloadLength;
        visitor?.OnDataBlock(_block, payload);
        BeginPadding(Phase.Record);
    }

    private void AcceptTrailer(IStripeVisitor? visitor)
    {
        var trailer = StripeTrailer.Read(_stage, At);
        string? fault = null;
        if (trailer.FamilyNumber != FamilyNumber || trailer.MediaSetId != MediaHeader!.MediaSetId)
        {
            fault = $"it names family {trailer.FamilyNumber} of media set {trailer.MediaSetId}";
        }
        else if (trailer.BlockCount != BlockCount)
        {
            fault = $"it counts {trailer.BlockCount} data blocks, the stripe held {BlockCount}";
        }
        else if (trailer.PayloadBytes != PayloadBytes)
        {
            fault = $"it counts {trailer.PayloadBytes} payload bytes, the stripe held {PayloadBytes}";
        }
        else if (trailer.StripeLength != _structureStart)
        {
            fault = $"it says it starts at offset {trailer.StripeLength}";
        }
        else if (trailer.BlockDigest != _blockDigest)
        {
            fault = $"its block digest 0x{trailer.BlockDigest:X8} differs from the blocks' 0x{_blockDigest:X8}";
        }

        if (fault is not null)
        {
            throw At.Fault(BackupStreamError.TrailerMismatch, string.Create(CultureInfo.InvariantCulture, $"The stripe trailer disagrees with the stripe: {fault}."));
        }

        Trailer = trailer;
        visitor?.OnTrailer(trailer);
        BeginPadding(Phase.Complete);
    }

    /// <summary>Skips the zeros from the current position to the next block boundary, then enters <paramref name="next"/>.</summary>
    private void BeginPadding(Phase next)
    {
        int blockSize = MediaHeader!.BlockSize;
        _paddingRemaining = (int)(BackupStreamFormat.AlignUp(_position, blockSize) - _position);
        _afterPadding = next;
        _phase = Phase.Padding;
        if (_paddingRemaining == 0)
        {
            EndPadding();
        }
    }

    private void SkipPadding(ref ReadOnlySpan<byte> chunk)
    {
        int count = Math.Min(_paddingRemaining, chunk.Length);
        int nonZero = chunk[..count].IndexOfAnyExcept((byte)0);
        if (nonZero >= 0)
        {
            throw new BackupStreamException(
                BackupStreamError.NonZeroPadding,
                FamilyNumber,
                _position + nonZero,
                string.Create(CultureInfo.InvariantCulture, $"The padding after the structure at offset {_structureStart} holds a non-zero byte."));
        }

        chunk = chunk[count..];
        _position += count;
        _paddingRemaining -= count;
        if (_paddingRemaining == 0)
        {
            EndPadding();
        }
    }

    private void EndPadding()
    {
        _phase = _afterPadding;
        _structureStart = _position;
        AssertInvariants();
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(MediaHeader is not null, "Padding follows a structure, so the media header has been read.");
        Debug.Assert(_structureStart % MediaHeader.BlockSize == 0, "Every structure starts on a block boundary.");
        Debug.Assert(_staged == 0, "No header bytes are staged between structures.");
        Debug.Assert(_phase != Phase.Record || SetHeader is not null, "Data blocks and the trailer come only after the backup-set header.");
        Debug.Assert(_gathered is null, "No payload is half gathered between structures.");
    }

    private void ThrowIfFaulted()
    {
        if (_phase == Phase.Faulted)
        {
            throw new InvalidOperationException("The stripe reader already failed; it reads no further.", _fault);
        }
    }

    private bool MarkFaulted(Exception fault)
    {
        _phase = Phase.Faulted;
        _fault = fault;
        if (_gathered is not null)
        {
            ArrayPool<byte>.Shared.Return(_gathered);
            _gathered = null;
        }

        return false;
    }
}
