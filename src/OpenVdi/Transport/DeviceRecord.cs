using static OpenVdi.Transport.ControlSegmentDescriptor;

namespace OpenVdi.Transport;

/// <summary>Checked accessors over one device record of the control segment.</summary>
internal readonly struct DeviceRecord
{
    private readonly SharedRegion _region;
    private readonly long _offset;

    public DeviceRecord(SharedRegion region, long offset)
    {
        _region = region;
        _offset = offset;
    }

    public long WakeOffset => _offset + DeviceWakeOffset;

    public ref int Wake => ref _region.Int32(_offset + DeviceWakeOffset);

    public ref int Waiters => ref _region.Int32(_offset + DeviceWaitersOffset);

    public ref int Tail => ref _region.Int32(_offset + DeviceTailOffset);

    public ref int Armed => ref _region.Int32(_offset + DeviceArmedOffset);

    public ref int State => ref _region.Int32(_offset + DeviceStateOffset);

    public ref int Head => ref _region.Int32(_offset + DeviceHeadOffset);

    public ref int Closed => ref _region.Int32(_offset + DeviceClosedOffset);

    public ref int Bound => ref _region.Int32(_offset + DeviceBoundOffset);

    public ref int OwnerPid => ref _region.Int32(_offset + DeviceOwnerPidOffset);

    public string? ReadName() => ControlSegment.ReadName(_region, _offset + DeviceNameLengthOffset, SegmentName.MaxNameLength);

    /// <summary>Whether the device's name is <paramref name="name"/>, compared in place (nothing is allocated).</summary>
    public bool HasName(string name)
    {
        int length = _region.Int32(_offset + DeviceNameLengthOffset);
        return length == name.Length
            && System.Runtime.InteropServices.MemoryMarshal.Cast<byte, char>(_region.Bytes(_offset + DeviceNameOffset, length * sizeof(char))).SequenceEqual(name);
    }

    public void WriteName(string name) => ControlSegment.WriteName(_region, _offset + DeviceNameLengthOffset, name);

    /// <summary>The slot that sequence number <paramref name="sequence"/> uses.</summary>
    public CommandSlot Slot(uint sequence) => new(_region, SlotOffset(_offset, (int)(sequence & (SlotsPerDevice - 1))));

    public CommandSlot SlotAt(int index) => new(_region, SlotOffset(_offset, index));
}

/// <summary>Checked accessors over one command slot.</summary>
internal readonly struct CommandSlot
{
    private readonly SharedRegion _region;
    private readonly long _offset;

    public CommandSlot(SharedRegion region, long offset)
    {
        _region = region;
        _offset = offset;
    }

    public ref int State => ref _region.Int32(_offset + SlotStateOffset);

    public ref int Sequence => ref _region.Int32(_offset + SlotSequenceOffset);

    public ref int Command => ref _region.Int32(_offset + SlotCommandOffset);

    public ref int Size => ref _region.Int32(_offset + SlotSizeOffset);

    public ref long InPosition => ref _region.Int64(_offset + SlotInPositionOffset);

    public ref int Buffer => ref _region.Int32(_offset + SlotBufferOffset);

    public ref int Digest => ref _region.Int32(_offset + SlotDigestOffset);

    public ref int CompletionCode => ref _region.Int32(_offset + SlotCompletionCodeOffset);

    public ref int BytesTransferred => ref _region.Int32(_offset + SlotBytesOffset);

    public ref long OutPosition => ref _region.Int64(_offset + SlotOutPositionOffset);

    public ref int FetcherPid => ref _region.Int32(_offset + SlotFetcherPidOffset);
}
