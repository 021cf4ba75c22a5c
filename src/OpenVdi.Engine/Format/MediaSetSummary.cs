namespace OpenVdi.Engine.Format;

/// <summary>What a complete, verified media set held: the result of <see cref="MediaSetAssembler.Complete"/>.</summary>
/// <param name="SetHeader">The backup set.</param>
/// <param name="FamilyCount">Number of families read.</param>
/// <param name="BlockSize">The media set's BLOCKSIZE.</param>
/// <param name="MediaCreationTime">When the media was written.</param>
/// <param name="Trailers">Every family's trailer, by family number (index 0 is family 1).</param>
public sealed record MediaSetSummary(
    BackupSetHeader SetHeader,
    int FamilyCount,
    int BlockSize,
    DateTimeOffset MediaCreationTime,
    IReadOnlyList<StripeTrailer> Trailers)
{
    /// <summary>Data blocks in the whole media set.</summary>
    public long BlockCount => Trailers.Sum(trailer => trailer.BlockCount);

    /// <summary>Payload bytes restored (or verified); equal to <see cref="BackupSetHeader.TotalDataBytes"/>.</summary>
    public long PayloadBytes => Trailers.Sum(trailer => trailer.PayloadBytes);

    /// <summary>When the backup finished: the latest family's finish time.</summary>
    public DateTimeOffset FinishTime => Trailers.Max(trailer => trailer.FinishTime);
}
