using static OpenVdi.Transport.BufferAreaDescriptor;

namespace OpenVdi.Transport;

/// <summary>
/// The server's buffer allocator. RequestBuffers declares classes of buffers (data size, alignment, count); the
/// area is carved into exactly those buffers when a segment is made, and AllocateBuffer hands out the smallest
/// free buffer that fits. Only the server process allocates, so the free lists are local; the shared table
/// carries each buffer's state and generation for the clients' handle checks.
/// </summary>
internal sealed class BufferAllocator
{
    private readonly ControlSegment _control;
    private readonly BufferAreaMap _map;
    private readonly uint _prefixZoneSize;
    private readonly int _baseAlignment;
    private readonly List<Request> _pending = [];
    private readonly List<SizeClass> _classes = [];

    // Per-segment state, one record per buffer segment, never resized once published: BeginTransfer and EndTransfer
    // compare-and-swap its words without the lock, so a new segment gets a record of its own (the outer array is
    // replaced, copy on write, under the lock) rather than growing arrays a transfer may be writing into.
    private SegmentState[] _states = [];

    // Allocation is not on the per-command path (buffers are reused across commands), and device threads and the
    // completion agent may allocate and free at once: one lock keeps the free lists whole.
    private readonly Lock _lock = new();

    public BufferAllocator(ControlSegment control, BufferAreaMap map, uint prefixZoneSize, int baseAlignment)
    {
        _control = control;
        _map = map;
        _prefixZoneSize = prefixZoneSize;
        _baseAlignment = baseAlignment;
    }

    public long PendingBuffers { get; private set; }

    /// <summary>The files this allocator made, so the server removes exactly those, even if a peer breaks their headers.</summary>
    public List<FileIdentity> CreatedSegments { get; } = [];

    /// <summary>Declares <paramref name="count"/> buffers of <paramref name="size"/> bytes, made at the next <see cref="CreateSegment"/>.</summary>
    public VdiResult Declare(uint size, uint alignment, uint count)
    {
        lock (_lock)
        {
            return DeclareUnsynchronized(size, alignment, count);
        }
    }

    private VdiResult DeclareUnsynchronized(uint size, uint alignment, uint count)
    {
        if (size == 0 || count == 0 || !IsValidAlignment(alignment))
        {
            return VdiResult.VD_E_INVALID;
        }

        if (PendingBuffers + count + _map.BufferCount > MaxBuffers)
        {
            return VdiResult.VD_E_MEMORY;
        }

        _pending.Add(new Request(size, EffectiveAlignment(alignment), count));
        PendingBuffers += count;
        return VdiResult.NOERROR;
    }

    public static bool IsValidAlignment(uint alignment) =>
        alignment == 0 || (alignment <= MappedFile.MappingAlignment && (alignment & (alignment - 1)) == 0);

    private int EffectiveAlignment(uint requested) => Math.Max(Math.Max((int)requested, _baseAlignment), MinDataAlignment);

    /// <summary>Makes a segment holding every declared buffer. On failure nothing is made and the declarations are dropped.</summary>
    public VdiResult CreateSegment()
    {
        lock (_lock)
        {
            return CreateSegmentUnsynchronized();
        }
    }

    private VdiResult CreateSegmentUnsynchronized()
    {
        if (_pending.Count == 0)
        {
            return VdiResult.NOERROR;
        }

        var requests = _pending.ToArray();
        _pending.Clear();
        int count = (int)PendingBuffers;
        PendingBuffers = 0;
        int k = _map.SegmentCount;
        if (k >= ControlSegmentDescriptor.MaxBufferSegments)
        {
            return VdiResult.VD_E_MEMORY;
        }

        // Carve: [padding][prefix][data] for every buffer, data aligned as its class asks.
        var offsets = new long[count];
        var capacities = new int[count];
        var alignments = new int[count];
        long cursor = DataRegionStart(count);
        int n = 0;
        foreach (var request in requests)
        {
            for (uint i = 0; i < request.Count; i++, n++)
            {
                long data = AlignUp(cursor + _prefixZoneSize, request.Alignment);
                offsets[n] = data;
                capacities[n] = (int)request.Size;
                alignments[n] = request.Alignment;
                cursor = data + request.Size;
            }
        }

        long length = AlignUp(cursor, Environment.SystemPageSize);
        if (length > MaxSegmentLength)
        {
            return VdiResult.VD_E_MEMORY;
        }

        string path = SegmentName.BufferPath(_control.Path, k);
        var result = MappedFile.TryCreate(path, length, _control.FileMode, keepDescriptor: false, out var file, out _);
        if (result != VdiResult.NOERROR)
        {
            return result == VdiResult.VD_E_SECURITY ? result : VdiResult.VD_E_MEMORY;
        }

        var region = file!.Region;
        int first = _map.BufferCount;
        CreatedSegments.Add(file.Identity);
        region.Int64(MagicOffset).WritePlain((long)Magic);
        region.Int32(HeaderLengthOffset).WritePlain(HeaderLength);
        region.Int64(SegmentLengthOffset).WritePlain(length);
        region.Int64(IncarnationOffset).WritePlain((long)_control.Incarnation);
        region.Int32(SegmentIndexOffset).WritePlain(k);
        region.Int32(FirstBufferIndexOffset).WritePlain(first);
        region.Int32(BufferCountOffset).WritePlain(count);
        region.Int32(PrefixZoneSizeOffset).WritePlain((int)_prefixZoneSize);
        region.Int32(EntryTableOffsetOffset).WritePlain(HeaderLength);
        region.Int32(DataRegionOffsetOffset).WritePlain((int)DataRegionStart(count));
        for (int i = 0; i < count; i++)
        {
            long entry = EntryOffset(i);
            region.Int64(entry + EntryDataOffsetOffset).WritePlain(offsets[i]);
            region.Int32(entry + EntryCapacityOffset).WritePlain(capacities[i]);
            region.Int32(entry + EntryAlignmentOffset).WritePlain(alignments[i]);
        }

        // Release: the header and table are complete before a client can see the version.
        region.Int32(LayoutVersionOffset).WriteRelease(LayoutVersion);
        file.Prefault(0, length);
        try
        {
            _map.AddCreated(file);
        }
        catch (CorruptSegmentException)
        {
            file.Unlink();
            file.Dispose();
            throw;
        }

        _control.BufferSegmentLength(k).WritePlain(length);

        // Release: the length is visible before the count that makes a client map the segment.
        _control.BufferSegmentCount.WriteRelease(k + 1);

        // Release: the record is complete before a lock-free reader finds it.
        Volatile.Write(ref _states, [.. _states, new SegmentState(first, count)]);
        for (int i = 0; i < count; i++)
        {
            AddFree(first + i, capacities[i], alignments[i]);
        }

        return VdiResult.NOERROR;
    }

    private void AddFree(int index, int capacity, int alignment)
    {
        // A plain loop, not List.Find with a lambda: FreeBuffer runs here, and a capturing lambda allocates per call.
        SizeClass? sizeClass = null;
        foreach (var c in _classes)
        {
            if (c.Capacity == capacity && c.Alignment == alignment)
            {
                sizeClass = c;
                break;
            }
        }

        if (sizeClass is null)
        {
            sizeClass = new SizeClass(capacity, alignment, new Stack<int>());
            _classes.Add(sizeClass);
            _classes.Sort((a, b) => a.Capacity != b.Capacity ? a.Capacity.CompareTo(b.Capacity) : a.Alignment.CompareTo(b.Alignment));
        }

        sizeClass.Free.Push(index);
    }

    /// <summary>How many buffers of at least <paramref name="size"/> bytes at <paramref name="alignment"/> are free.</summary>
    public int CountAvailable(uint size, uint alignment)
    {
        lock (_lock)
        {
            return CountAvailableUnsynchronized(size, alignment);
        }
    }

    private int CountAvailableUnsynchronized(uint size, uint alignment)
    {
        int wanted = EffectiveAlignment(alignment);
        int available = 0;
        foreach (var c in _classes)
        {
            if (c.Capacity >= size && c.Alignment >= wanted)
            {
                available += c.Free.Count;
            }
        }

        // Declared and not made yet: they will be there after the next segment is made.
        foreach (var request in _pending)
        {
            if (request.Size >= size && request.Alignment >= wanted)
            {
                available += (int)request.Count;
            }
        }

        return available;
    }

    public VdiResult Allocate(uint size, uint alignment, out nint address)
    {
        lock (_lock)
        {
            return AllocateUnsynchronized(size, alignment, out address);
        }
    }

    private VdiResult AllocateUnsynchronized(uint size, uint alignment, out nint address)
    {
        address = 0;
        if (size == 0 || !IsValidAlignment(alignment))
        {
            return VdiResult.VD_E_INVALID;
        }

        int wanted = EffectiveAlignment(alignment);
        foreach (var c in _classes)
        {
            if (c.Capacity >= size && c.Alignment >= wanted && c.Free.TryPop(out int index))
            {
                AllocatedSize(index) = (int)size;

                // Release: a client that sees the buffer allocated sees a table entry the server owns.
                _map.EntryWord(index, EntryStateOffset).WriteRelease(1);
                address = _map.DataAddress(index);
                return VdiResult.NOERROR;
            }
        }

        return VdiResult.VD_E_MEMORY;
    }

    public VdiResult Free(nint address, uint size)
    {
        lock (_lock)
        {
            return FreeUnsynchronized(address, size);
        }
    }

    private VdiResult FreeUnsynchronized(nint address, uint size)
    {
        int index = _map.IndexOfDataStart(address);
        if (index < 0 || AllocatedSize(index) == 0 || AllocatedSize(index) != size || Volatile.Read(ref InFlight(index)) != 0)
        {
            return VdiResult.VD_E_INVALID;
        }

        Volatile.Write(ref AllocatedSize(index), 0);

        // A new generation first: any handle issued for this buffer is dead from here on.
        _map.EntryWord(index, EntryGenerationOffset).Increment();
        _map.EntryWord(index, EntryStateOffset).WriteRelease(0);
        AddFree(index, _map.Capacity(index), _map.Alignment(index));
        return VdiResult.NOERROR;
    }

    public bool IsShared(nint address) => _map.IndexContaining(address) >= 0;

    /// <summary>
    /// Checks that <paramref name="address"/> is an allocated buffer, not with the client, that holds
    /// <paramref name="size"/> bytes; marks it in flight on <paramref name="device"/> at <paramref name="sequence"/>.
    /// Returns the buffer index, or -1.
    /// </summary>
    public int BeginTransfer(nint address, uint size, int device, uint sequence)
    {
        int index = _map.IndexOfDataStart(address);
        if (index < 0 || Volatile.Read(ref AllocatedSize(index)) == 0 || size > (uint)_map.Capacity(index)
            || Interlocked.CompareExchange(ref InFlight(index), 1, 0) != 0)
        {
            return -1;
        }

        _map.EntryWord(index, EntryGenerationOffset).Increment();
        _map.EntryWord(index, EntryInFlightDeviceOffset).WritePlain(device + 1);
        _map.EntryWord(index, EntryInFlightSequenceOffset).WritePlain((int)sequence);
        return index;
    }

    /// <summary>Ends the transfer of buffer <paramref name="index"/>: it is the server's again.</summary>
    public void EndTransfer(int index)
    {
        _map.EntryWord(index, EntryInFlightDeviceOffset).WritePlain(0);
        Volatile.Write(ref InFlight(index), 0);
    }

    /// <summary>Whether buffer <paramref name="index"/> is carried by a command (1) or the server's (0).</summary>
    private ref int InFlight(int index) => ref StateOf(index, out int local).InFlight[local];

    /// <summary>The size buffer <paramref name="index"/> was allocated with; 0 while it is free.</summary>
    private ref int AllocatedSize(int index) => ref StateOf(index, out int local).AllocatedSize[local];

    private SegmentState StateOf(int index, out int local)
    {
        // Acquire: a record seen here is complete (see CreateSegmentUnsynchronized).
        foreach (var state in Volatile.Read(ref _states))
        {
            local = index - state.FirstIndex;
            if ((uint)local < (uint)state.AllocatedSize.Length)
            {
                return state;
            }
        }

        throw new CorruptSegmentException($"Buffer index {index} is not part of the area.");
    }

    private sealed record Request(uint Size, int Alignment, uint Count);

    /// <summary>One buffer segment's allocation state, fixed in size from its creation.</summary>
    private sealed class SegmentState(int firstIndex, int count)
    {
        public int FirstIndex { get; } = firstIndex;

        public int[] AllocatedSize { get; } = new int[count];

        public int[] InFlight { get; } = new int[count];
    }

    private sealed record SizeClass(int Capacity, int Alignment, Stack<int> Free);
}
