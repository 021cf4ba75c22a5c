using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;

namespace OpenVdi.Engine.Format;

/// <summary>
/// Reassembles a media set from its stripes, presented in any order and read concurrently, for RESTORE
/// (payload goes to an <see cref="IDataBlockSink"/>) or RESTORE VERIFYONLY (no sink: everything is checked,
/// nothing is written).
/// </summary>
/// <remarks>
/// <para>
/// Beyond what each <see cref="StripeReader"/> checks in its own stripe, the assembler checks the stripes
/// against each other: one media set GUID, family count and BLOCKSIZE; each family once; byte-identical
/// copies of the backup-set header; no byte of any file covered twice; and, at <see cref="Complete"/>, every
/// family present and every byte of every file covered.
/// </para>
/// <para>
/// Thread-safe: each device thread drives its own <see cref="MediaSetStripe"/>; the cross-stripe checks take
/// a short lock per block, and payload goes to the sink outside it.
/// </para>
/// <example>
/// <code>
/// DatabaseWriter? target = null;
/// var assembler = new MediaSetAssembler(set => target = DatabaseWriter.Create(set, directory, options));
/// // (dispose target in every case: without a commit, that deletes the partly written files)
/// // on the thread serving each device:
/// var stripe = assembler.OpenStripe();
/// /* for every completed VDC_Read: */ stripe.Consume(buffer[..bytesTransferred]);
/// /* at end of data: */              stripe.Complete();
/// // after every device finished:
/// MediaSetSummary summary = assembler.Complete();   // throws BackupStreamException
/// target!.Commit();
/// </code>
/// </example>
/// </remarks>
public sealed class MediaSetAssembler
{
    private readonly Lock _lock = new();
    private readonly Func<BackupSetHeader, IDataBlockSink?>? _createSink;
    private readonly int _expectedBlockSize;
    private MediaHeader? _firstMedia;
    private FamilyState[] _families = [];
    private byte[]? _setHeaderBytes;
    private int _setHeaderFamily;
    private BackupSetHeader? _setHeader;
    private FileCoverage[] _coverage = [];
    private IDataBlockSink? _sink;
    private Exception? _sinkFailure;
    private Exception? _firstError;
    private long _payloadBytes;

    /// <summary>Creates an assembler for one RESTORE or VERIFYONLY.</summary>
    /// <param name="createSink">
    /// Called once, with the first backup-set header read, to create where payload goes; null (or a
    /// factory returning null) verifies without writing.
    /// </param>
    /// <param name="expectedBlockSize">The BLOCKSIZE the restore uses; 0 accepts the media set's own.</param>
    public MediaSetAssembler(Func<BackupSetHeader, IDataBlockSink?>? createSink = null, int expectedBlockSize = 0)
    {
        if (expectedBlockSize != 0 && !BackupStreamFormat.IsValidBlockSize(expectedBlockSize))
        {
            throw new ArgumentOutOfRangeException(nameof(expectedBlockSize), expectedBlockSize, "BLOCKSIZE is a power of two from 512 to 65536, or 0.");
        }

        _createSink = createSink;
        _expectedBlockSize = expectedBlockSize;
    }

    /// <summary>The backup-set header, once the first stripe delivered it.</summary>
    public BackupSetHeader? SetHeader
    {
        get
        {
            lock (_lock)
            {
                return _setHeader;
            }
        }
    }

    /// <summary>
    /// The first failure of any stripe (for VERIFYONLY, the first corrupt block found, with its family
    /// and stripe offset when it is a <see cref="BackupStreamException"/>); null while all is well.
    /// Device loops may poll it to stop early.
    /// </summary>
    public Exception? FirstError
    {
        get
        {
            lock (_lock)
            {
                return _firstError;
            }
        }
    }

    /// <summary>Payload bytes verified so far over all stripes (for STATS progress against <see cref="BackupSetHeader.TotalDataBytes"/>).</summary>
    public long PayloadBytes => Interlocked.Read(ref _payloadBytes);

    /// <summary>Starts reading one stripe (one device). Call once per device, from any thread.</summary>
    /// <returns>The stripe's reader, bound to this assembler.</returns>
    public MediaSetStripe OpenStripe() => new(this, new StripeReader(_expectedBlockSize));

    /// <summary>
    /// Reads whole stripes from streams, one after the other, in the order given, in reads of
    /// <paramref name="readSize"/> bytes; a convenience for stored stripes (files) and tests.
    /// </summary>
    /// <param name="stripes">The stripes, in any order.</param>
    /// <param name="readSize">Bytes per read (any positive number).</param>
    /// <param name="createSink">Where payload goes; null to verify only.</param>
    /// <returns>The summary of the verified media set.</returns>
    /// <exception cref="BackupStreamException">The stripes do not form a sound media set.</exception>
    public static MediaSetSummary ReadAll(IReadOnlyList<Stream> stripes, int readSize, Func<BackupSetHeader, IDataBlockSink?>? createSink = null)
    {
        ArgumentNullException.ThrowIfNull(stripes);
        ArgumentOutOfRangeException.ThrowIfLessThan(readSize, 1);
        var assembler = new MediaSetAssembler(createSink);
        var buffer = new byte[readSize];
        foreach (var stream in stripes)
        {
            var stripe = assembler.OpenStripe();
            int read;
            while (!stripe.IsComplete && (read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false)) > 0)
            {
                stripe.Consume(buffer.AsSpan(0, read));
            }

            stripe.Complete();
        }

        return assembler.Complete();
    }

    /// <summary>
    /// Finishes after every stripe has been read: checks that every family was presented and finished,
    /// and that the blocks covered every byte of every file.
    /// </summary>
    /// <returns>What the media set held.</returns>
    /// <exception cref="BackupStreamException">
    /// A family is missing or unfinished, data is missing, or (rethrown) the first failure of any stripe.
    /// </exception>
    public MediaSetSummary Complete()
    {
        lock (_lock)
        {
            if (_firstError is not null)
            {
                ExceptionDispatchInfo.Throw(_firstError);
            }

            var fault = FindIncompletenessUnsynchronized();
            if (fault is not null)
            {
                _firstError = fault;
                throw fault;
            }

            return new MediaSetSummary(
                _setHeader!,
                _firstMedia!.FamilyCount,
                _firstMedia.BlockSize,
                _firstMedia.CreationTime,
                _families.Skip(1).Select(family => family.Trailer!).ToArray());
        }
    }

    private BackupStreamException? FindIncompletenessUnsynchronized()
    {
        if (_firstMedia is null || _setHeader is null)
        {
            return new BackupStreamException(BackupStreamError.MissingFamily, 0, -1, "No stripe of the media set was read up to its backup-set header.");
        }

        int count = _firstMedia.FamilyCount;
        for (int family = 1; family <= count; family++)
        {
            if (!_families[family].Presented)
            {
                return new BackupStreamException(
                    BackupStreamError.MissingFamily,
                    family,
                    -1,
                    string.Create(CultureInfo.InvariantCulture, $"Media family {family} of {count} of media set {_firstMedia.MediaSetId} was not presented; RESTORE needs every family."));
            }

            if (_families[family].Trailer is null)
            {
                return new BackupStreamException(
                    BackupStreamError.Truncated,
                    family,
                    -1,
                    "The stripe of this family was not read to its trailer.");
            }
        }

        for (int i = 0; i < _coverage.Length; i++)
        {
            if (!_coverage[i].IsComplete)
            {
                var (start, end) = _coverage[i].FirstGap;
                return new BackupStreamException(
                    BackupStreamError.IncompleteData,
                    0,
                    -1,
                    string.Create(CultureInfo.InvariantCulture, $"No data block holds bytes {start}..{end - 1} of file {i} ('{_setHeader.Files[i].LogicalName}', {_coverage[i].Size} bytes)."));
            }
        }

        return null;
    }

    /// <summary>Records the first failure of any stripe; always false, for use in an exception filter.</summary>
    internal bool RecordFault(Exception error)
    {
        lock (_lock)
        {
            _firstError ??= error;
        }

        return false;
    }

    internal void AcceptMediaHeader(MediaHeader media)
    {
        lock (_lock)
        {
            if (_firstMedia is null)
            {
                _firstMedia = media;
                _families = new FamilyState[media.FamilyCount + 1];
            }
            else if (media.MediaSetId != _firstMedia.MediaSetId)
            {
                throw WrongMedia(BackupStreamError.ForeignMediaSet, media, $"This stripe belongs to media set {media.MediaSetId}, but the stripes already read belong to media set {_firstMedia.MediaSetId}.");
            }
            else if (media.FamilyCount != _firstMedia.FamilyCount || media.BlockSize != _firstMedia.BlockSize)
            {
                throw WrongMedia(BackupStreamError.ForeignMediaSet, media, $"This stripe says its media set has {media.FamilyCount} families of BLOCKSIZE {media.BlockSize}, the stripes already read say {_firstMedia.FamilyCount} of {_firstMedia.BlockSize}.");
            }

            if (_families[media.FamilyNumber].Presented)
            {
                throw WrongMedia(BackupStreamError.DuplicateFamily, media, $"Media family {media.FamilyNumber} was presented twice; each family of the media set is read once.");
            }

            _families[media.FamilyNumber].Presented = true;
        }
    }

    internal void AcceptSetHeader(StripeReader reader, BackupSetHeader set)
    {
        lock (_lock)
        {
            if (_sinkFailure is not null)
            {
                throw new InvalidOperationException("The restore target could not be prepared; see the inner exception.", _sinkFailure);
            }

            if (_setHeaderBytes is null)
            {
                // The sink is created before anything is recorded, so that if it fails (the target exists,
                // the disk is full) no other stripe finds a half-initialised assembler or tries again.
                try
                {
                    _sink = _createSink?.Invoke(set);
                }
                catch (Exception e) when (RecordSinkFailureUnsynchronized(e))
                {
                    // Never reached: the filter records the failure and lets the exception pass unchanged.
                }

                _coverage = set.Files.Select(file => new FileCoverage(file.Size)).ToArray();
                _setHeader = set;
                _setHeaderFamily = reader.FamilyNumber;
                _setHeaderBytes = reader.SetHeaderBytes.ToArray();
            }
            else if (!reader.SetHeaderBytes.SequenceEqual(_setHeaderBytes))
            {
                throw new BackupStreamException(
                    BackupStreamError.SetHeaderMismatch,
                    reader.FamilyNumber,
                    MediaHeaderDescriptor.SetHeaderOffset(_firstMedia!.BlockSize),
                    string.Create(CultureInfo.InvariantCulture, $"This stripe's copy of the backup-set header differs from the copy in family {_setHeaderFamily}."));
            }
        }
    }

    /// <summary>Records a verified block's coverage and returns where its payload goes (null when verifying).</summary>
    internal IDataBlockSink? AcceptBlock(in DataBlockHeader block)
    {
        lock (_lock)
        {
            if (!_coverage[block.FileIndex].TryAdd(block.FileOffset, block.PayloadLength))
            {
                throw new BackupStreamException(
                    BackupStreamError.OverlappingData,
                    block.FamilyNumber,
                    block.StreamOffset,
                    string.Create(CultureInfo.InvariantCulture, $"Bytes of file {block.FileIndex} near offset {block.FileOffset} are covered by more than one data block (found at block {block.Sequence})."));
            }

            Interlocked.Add(ref _payloadBytes, block.PayloadLength); // read without the lock by PayloadBytes
            return _sink;
        }
    }

    internal void AcceptTrailer(StripeTrailer trailer)
    {
        lock (_lock)
        {
            Debug.Assert(_families[trailer.FamilyNumber].Presented, "A trailer comes after its stripe's media header.");
            _families[trailer.FamilyNumber].Trailer = trailer;
        }
    }

    private bool RecordSinkFailureUnsynchronized(Exception failure)
    {
        _sinkFailure = failure;
        return false;
    }

    private static BackupStreamException WrongMedia(BackupStreamError error, MediaHeader media, string detail) =>
        new(error, media.FamilyNumber, 0, detail);

    private struct FamilyState
    {
        public bool Presented;
        public StripeTrailer? Trailer;
    }
}
