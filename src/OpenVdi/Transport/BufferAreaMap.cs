using static OpenVdi.Transport.BufferAreaDescriptor;

namespace OpenVdi.Transport;

/// <summary>
/// This process's view of a set's buffer area: the mapped segments and, for each, a local copy of the buffer
/// table's fixed part (offsets, capacities, alignments), checked once when the segment is mapped. Lookups use
/// the local copy, so a peer that rewrites the table later cannot move a buffer outside its segment.
/// </summary>
internal sealed class BufferAreaMap : IDisposable
{
    private readonly ControlSegment _control;
    private readonly uint _prefixZoneSize;
    private readonly Segment?[] _segments = new Segment?[ControlSegmentDescriptor.MaxBufferSegments];
    private readonly Lock _mapLock = new();
    private int _mappedCount;

    public BufferAreaMap(ControlSegment control, uint prefixZoneSize)
    {
        _control = control;
        _prefixZoneSize = prefixZoneSize;
    }

    /// <summary>The number of buffers in the segments mapped here.</summary>
    public int BufferCount
    {
        get
        {
            int count = Volatile.Read(ref _mappedCount);
            return count == 0 ? 0 : _segments[count - 1]!.FirstIndex + _segments[count - 1]!.Count;
        }
    }

    public int SegmentCount => Volatile.Read(ref _mappedCount);

    /// <summary>Total bytes of the mapped segments.</summary>
    public long TotalLength
    {
        get
        {
            long total = 0;
            for (int i = 0; i < SegmentCount; i++)
            {
                total += _segments[i]!.File.Region.Length;
            }

            return total;
        }
    }

    /// <summary>Adds a segment this process just created and initialised (server), checking it like a peer's.</summary>
    public void AddCreated(MappedFile file)
    {
        lock (_mapLock)
        {
            Publish(Load(file, _mappedCount));
        }
    }

    /// <summary>
    /// Maps the segments the server has published so far, until buffer <paramref name="index"/> is covered.
    /// Returns false when it is not (yet) part of the area. Throws <see cref="CorruptSegmentException"/> for a
    /// segment that fails its checks.
    /// </summary>
    public bool EnsureMapped(int index)
    {
        if (index < BufferCount)
        {
            return true;
        }

        lock (_mapLock)
        {
            int published = _control.BufferSegmentCount.ReadAcquire();
            if (published is < 0 or > ControlSegmentDescriptor.MaxBufferSegments)
            {
                throw new CorruptSegmentException("Buffer segment count out of range.");
            }

            while (_mappedCount < published && index >= BufferCount)
            {
                int k = _mappedCount;
                long length = _control.BufferSegmentLength(k).ReadAcquire();
                if (length < HeaderLength || length > MaxSegmentLength)
                {
                    throw new CorruptSegmentException($"Buffer segment {k} has an impossible length.");
                }

                string path = SegmentName.BufferPath(_control.Path, k);
                var result = MappedFile.TryOpen(path, length, length, keepDescriptor: false, out var file, out _);
                if (result != VdiResult.NOERROR)
                {
                    throw new CorruptSegmentException($"Buffer segment {k} could not be mapped ({result}).");
                }

                try
                {
                    var segment = Load(file!, k);

                    // Page-table entries now, off the command path: a first touch costs about a microsecond a page.
                    file!.Prefault(0, length);
                    Publish(segment);
                }
                catch
                {
                    file!.Dispose();
                    throw;
                }
            }

            return index < BufferCount;
        }
    }

    private void Publish(Segment segment)
    {
        _segments[_mappedCount] = segment;

        // Release: the segment object is complete before a lock-free reader sees the new count.
        Volatile.Write(ref _mappedCount, _mappedCount + 1);
    }

    private Segment Load(MappedFile file, int k)
    {
        var region = file.Region;
        int expectedFirst = BufferCount;
        if ((ulong)region.Int64(MagicOffset).ReadPlain() != Magic
            || region.Int32(LayoutVersionOffset).ReadAcquire() != LayoutVersion
            || region.Int32(HeaderLengthOffset).ReadPlain() != HeaderLength
            || region.Int64(SegmentLengthOffset).ReadPlain() != region.Length
            || (ulong)region.Int64(IncarnationOffset).ReadPlain() != _control.Incarnation
            || region.Int32(SegmentIndexOffset).ReadPlain() != k
            || region.Int32(FirstBufferIndexOffset).ReadPlain() != expectedFirst
            || (uint)region.Int32(PrefixZoneSizeOffset).ReadPlain() != _prefixZoneSize)
        {
            throw new CorruptSegmentException($"Buffer segment {k} header does not match the set.");
        }

        int count = region.Int32(BufferCountOffset).ReadPlain();
        if (count < 1 || count > MaxBuffers - expectedFirst
            || region.Int32(EntryTableOffsetOffset).ReadPlain() != HeaderLength
            || region.Int32(DataRegionOffsetOffset).ReadPlain() != DataRegionStart(count)
            || DataRegionStart(count) > region.Length)
        {
            throw new CorruptSegmentException($"Buffer segment {k} table does not fit the segment.");
        }

        var offsets = new long[count];
        var capacities = new int[count];
        var alignments = new int[count];
        long previousEnd = DataRegionStart(count);
        for (int i = 0; i < count; i++)
        {
            long entry = EntryOffset(i);
            long data = region.Int64(entry + EntryDataOffsetOffset).ReadPlain();
            int capacity = region.Int32(entry + EntryCapacityOffset).ReadPlain();
            int alignment = region.Int32(entry + EntryAlignmentOffset).ReadPlain();
            if (capacity < 1 || alignment < 1 || alignment > MappedFile.MappingAlignment || (alignment & (alignment - 1)) != 0
                || data - _prefixZoneSize < previousEnd || data % alignment != 0 || data > region.Length - capacity)
            {
                throw new CorruptSegmentException($"Buffer {expectedFirst + i} lies outside its segment or overlaps another.");
            }

            offsets[i] = data;
            capacities[i] = capacity;
            alignments[i] = alignment;
            previousEnd = data + capacity;
        }

        return new Segment(file, expectedFirst, count, offsets, capacities, alignments);
    }

    /// <summary>The segment holding buffer <paramref name="index"/> and its index inside it; the buffer must be mapped.</summary>
    private Segment SegmentOf(int index, out int local)
    {
        int count = Volatile.Read(ref _mappedCount);
        for (int k = 0; k < count; k++)
        {
            var segment = _segments[k]!;
            local = index - segment.FirstIndex;
            if ((uint)local < (uint)segment.Count)
            {
                return segment;
            }
        }

        throw new CorruptSegmentException($"Buffer index {index} is not part of the area.");
    }

    public int Capacity(int index) => SegmentOf(index, out int local).Capacities[local];

    /// <summary>The alignment of buffer <paramref name="index"/>'s data zone, from this process's copy of the table.</summary>
    public int Alignment(int index) => SegmentOf(index, out int local).Alignments[local];

    public nint DataAddress(int index)
    {
        var segment = SegmentOf(index, out int local);
        return segment.File.Region.BaseAddress + (nint)segment.Offsets[local];
    }

    /// <summary>The data zone of buffer <paramref name="index"/>, <paramref name="length"/> bytes (at most its capacity).</summary>
    public Span<byte> Data(int index, int length)
    {
        var segment = SegmentOf(index, out int local);
        if ((uint)length > (uint)segment.Capacities[local])
        {
            throw new CorruptSegmentException($"A transfer of {length} bytes exceeds buffer {index}.");
        }

        return segment.File.Region.Bytes(segment.Offsets[local], length);
    }

    /// <summary>The prefix zone just before the data zone of buffer <paramref name="index"/>.</summary>
    public Span<byte> PrefixZone(int index)
    {
        var segment = SegmentOf(index, out int local);
        return segment.File.Region.Bytes(segment.Offsets[local] - _prefixZoneSize, (int)_prefixZoneSize);
    }

    public SharedInt32 EntryWord(int index, int fieldOffset)
    {
        var segment = SegmentOf(index, out int local);
        return segment.File.Region.Int32(EntryOffset(local) + fieldOffset);
    }

    /// <summary>The buffer whose data zone starts exactly at <paramref name="address"/>, or -1.</summary>
    public int IndexOfDataStart(nint address) => Find(address, exactStart: true);

    /// <summary>The buffer whose data zone contains <paramref name="address"/>, or -1.</summary>
    public int IndexContaining(nint address) => Find(address, exactStart: false);

    private int Find(nint address, bool exactStart)
    {
        int count = Volatile.Read(ref _mappedCount);
        for (int k = 0; k < count; k++)
        {
            var segment = _segments[k]!;
            if (!segment.File.Region.Contains(address, out long offset))
            {
                continue;
            }

            // The last buffer whose data starts at or before the offset.
            int i = Array.BinarySearch(segment.Offsets, offset);
            if (i >= 0)
            {
                return segment.FirstIndex + i;
            }

            i = ~i - 1;
            if (!exactStart && i >= 0 && offset < segment.Offsets[i] + segment.Capacities[i])
            {
                return segment.FirstIndex + i;
            }

            return -1;
        }

        return -1;
    }

    public void Dispose()
    {
        lock (_mapLock)
        {
            for (int k = 0; k < _mappedCount; k++)
            {
                _segments[k]!.File.Dispose();
            }
        }
    }

    private sealed record Segment(MappedFile File, int FirstIndex, int Count, long[] Offsets, int[] Capacities, int[] Alignments);
}
