using System.Globalization;

namespace OpenVdi.Engine.Format;

/// <summary>
/// A backup stream is corrupt, hostile, truncated, or not the media set being restored. Carries what
/// was wrong (<see cref="Error"/>) and where: the media family and the byte offset in that stripe of the
/// structure that failed.
/// </summary>
public sealed class BackupStreamException : Exception
{
    /// <summary>Creates an exception for a stream fault at a known place.</summary>
    /// <param name="error">What was wrong.</param>
    /// <param name="familyNumber">The 1-based media family, or 0 when not yet known.</param>
    /// <param name="streamOffset">Byte offset in the stripe of the failing structure, or -1 when the fault concerns the whole media set.</param>
    /// <param name="detail">A sentence saying what was found.</param>
    public BackupStreamException(BackupStreamError error, int familyNumber, long streamOffset, string detail)
        : base(Describe(familyNumber, streamOffset, detail))
    {
        Error = error;
        FamilyNumber = familyNumber;
        StreamOffset = streamOffset;
        Detail = detail;
    }

    /// <summary>Creates an exception with only a message (the error defaults to <see cref="BackupStreamError.InvalidField"/>).</summary>
    public BackupStreamException()
        : this(BackupStreamError.InvalidField, 0, -1, "The backup stream is not valid.")
    {
    }

    /// <summary>Creates an exception with only a message (the error defaults to <see cref="BackupStreamError.InvalidField"/>).</summary>
    /// <param name="message">The message.</param>
    public BackupStreamException(string message)
        : this(BackupStreamError.InvalidField, 0, -1, message)
    {
    }

    /// <summary>Creates an exception with a message and a cause (the error defaults to <see cref="BackupStreamError.InvalidField"/>).</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public BackupStreamException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = BackupStreamError.InvalidField;
        StreamOffset = -1;
        Detail = message;
    }

    /// <summary>What was wrong.</summary>
    public BackupStreamError Error { get; }

    /// <summary>The 1-based media family whose stripe failed; 0 when the family was not yet known.</summary>
    public int FamilyNumber { get; }

    /// <summary>Byte offset, from the start of the stripe, of the structure that failed; -1 for faults of the whole media set.</summary>
    public long StreamOffset { get; }

    /// <summary>The sentence describing the fault, without the family and offset.</summary>
    public string Detail { get; }

    /// <summary>
    /// True when bytes of the stream were damaged or forged (as opposed to the wrong media being
    /// presented): a checksum, a field, padding, ordering, the trailer, or a short stripe.
    /// </summary>
    public bool IsCorruption => Error switch
    {
        BackupStreamError.HeaderChecksumMismatch
            or BackupStreamError.PayloadChecksumMismatch
            or BackupStreamError.InvalidField
            or BackupStreamError.NonZeroPadding
            or BackupStreamError.UnexpectedRecord
            or BackupStreamError.OutOfOrderBlock
            or BackupStreamError.TrailerMismatch
            or BackupStreamError.Truncated
            or BackupStreamError.SetHeaderMismatch
            or BackupStreamError.OverlappingData
            or BackupStreamError.IncompleteData => true,
        _ => false,
    };

    /// <summary>
    /// True when the stripes presented do not form the media set (foreign, duplicate or missing family,
    /// wrong BLOCKSIZE, not a backup stream at all): the user presented the wrong media.
    /// </summary>
    public bool IsWrongMedia => Error switch
    {
        BackupStreamError.NotABackupStream
            or BackupStreamError.UnsupportedVersion
            or BackupStreamError.ForeignMediaSet
            or BackupStreamError.DuplicateFamily
            or BackupStreamError.MissingFamily
            or BackupStreamError.BlockSizeMismatch => true,
        _ => false,
    };

    private static string Describe(int familyNumber, long streamOffset, string detail)
    {
        if (familyNumber <= 0 && streamOffset < 0)
        {
            return detail;
        }

        string family = familyNumber > 0
            ? string.Create(CultureInfo.InvariantCulture, $"family {familyNumber}")
            : "family not yet known";
        return streamOffset >= 0
            ? string.Create(CultureInfo.InvariantCulture, $"{detail} ({family}, stream offset {streamOffset})")
            : string.Create(CultureInfo.InvariantCulture, $"{detail} ({family})");
    }
}
