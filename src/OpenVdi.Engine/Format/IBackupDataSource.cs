namespace OpenVdi.Engine.Format;

/// <summary>
/// Where a <see cref="StripeWriter"/> gets its payload: a shared cursor over the database files that hands
/// each run of bytes to exactly one family, so that families that drain faster carry more blocks.
/// <see cref="DatabaseReader"/> is the implementation over files.
/// </summary>
/// <remarks>Both members are called concurrently by the writers of all families.</remarks>
public interface IBackupDataSource
{
    /// <summary>
    /// Claims the next run of at most <paramref name="maxLength"/> bytes (never crossing the end of a
    /// file). Thread-safe; every byte of every file is handed out exactly once, in file order.
    /// </summary>
    /// <param name="maxLength">The most bytes the caller can carry, at least 1.</param>
    /// <param name="extent">The run claimed.</param>
    /// <returns>False when every byte has been handed out.</returns>
    bool TryTake(int maxLength, out DataExtent extent);

    /// <summary>Reads a claimed run into <paramref name="destination"/> (exactly <see cref="DataExtent.Length"/> bytes). Thread-safe.</summary>
    /// <param name="extent">A run returned by <see cref="TryTake"/>.</param>
    /// <param name="destination">Where the bytes go; typically a view of a shared-memory transfer buffer.</param>
    void Read(in DataExtent extent, Span<byte> destination);
}
