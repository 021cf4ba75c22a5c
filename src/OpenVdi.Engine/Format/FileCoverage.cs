using System.Diagnostics;

namespace OpenVdi.Engine.Format;

/// <summary>
/// Tracks which bytes of one file the data blocks of a media set have covered, to prove at the end that
/// every byte came exactly once. Blocks of one file arrive roughly in order (each stripe is ascending), so
/// it keeps the covered prefix and a queue of the blocks that arrived ahead of it; memory grows only with
/// how far the stripes drift apart.
/// </summary>
/// <remarks>Not thread-safe: <see cref="MediaSetAssembler"/> calls it under its lock.</remarks>
internal sealed class FileCoverage(long size)
{
    private readonly PriorityQueue<int, long> _ahead = new();
    private long _coveredTo;

    /// <summary>The file's size.</summary>
    public long Size { get; } = size;

    /// <summary>True when every byte has been covered.</summary>
    public bool IsComplete => _coveredTo == Size && _ahead.Count == 0;

    /// <summary>Where the first uncovered byte is, and where the next covered run after it starts.</summary>
    public (long GapStart, long GapEnd) FirstGap =>
        (_coveredTo, _ahead.TryPeek(out _, out long next) ? next : Size);

    /// <summary>Records a block; false when it covers bytes already covered.</summary>
    public bool TryAdd(long offset, int length)
    {
        Debug.Assert(offset >= 0 && length > 0 && offset + length <= Size, "The reader checked the block lies inside the file.");
        if (offset < _coveredTo)
        {
            return false;
        }

        if (offset > _coveredTo)
        {
            _ahead.Enqueue(length, offset);
            return true;
        }

        _coveredTo += length;
        while (_ahead.TryPeek(out int nextLength, out long nextOffset) && nextOffset <= _coveredTo)
        {
            _ahead.Dequeue();
            if (nextOffset < _coveredTo)
            {
                return false;
            }

            _coveredTo += nextLength;
        }

        return true;
    }
}
