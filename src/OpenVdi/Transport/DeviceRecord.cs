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

    public SharedInt32 Wake => _region.Int32(_offset + DeviceWakeOffset);

    public SharedInt32 Waiters => _region.Int32(_offset + DeviceWaitersOffset);

    public SharedInt32 Tail => _region.Int32(_offset + DeviceTailOffset);

    public SharedInt32 Armed => _region.Int32(_offset + DeviceArmedOffset);

    public SharedInt32 State => _region.Int32(_offset + DeviceStateOffset);

    public SharedInt32 Head => _region.Int32(_offset + DeviceHeadOffset);

    public SharedInt32 Closed => _region.Int32(_offset + DeviceClosedOffset);

    public SharedInt32 Bound => _region.Int32(_offset + DeviceBoundOffset);

    public SharedInt32 OwnerPid => _region.Int32(_offset + DeviceOwnerPidOffset);

    public string? ReadName() => ControlSegment.ReadName(_region, _offset + DeviceNameLengthOffset, SegmentName.MaxNameLength);

    /// <summary>Whether the device's name is <paramref name="name"/>, compared in place (nothing is allocated).</summary>
    public bool HasName(string name)
    {
        int length = _region.Int32(_offset + DeviceNameLengthOffset).ReadPlain();
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

    public SharedInt32 State => _region.Int32(_offset + SlotStateOffset);

    public SharedInt32 Sequence => _region.Int32(_offset + SlotSequenceOffset);

    public SharedInt32 Command => _region.Int32(_offset + SlotCommandOffset);

    public SharedInt32 Size => _region.Int32(_offset + SlotSizeOffset);

    public SharedInt64 InPosition => _region.Int64(_offset + SlotInPositionOffset);

    public SharedInt32 Buffer => _region.Int32(_offset + SlotBufferOffset);

    public SharedInt32 Digest => _region.Int32(_offset + SlotDigestOffset);

    public SharedInt32 CompletionCode => _region.Int32(_offset + SlotCompletionCodeOffset);

    public SharedInt32 BytesTransferred => _region.Int32(_offset + SlotBytesOffset);

    public SharedInt64 OutPosition => _region.Int64(_offset + SlotOutPositionOffset);

    public SharedInt32 FetcherPid => _region.Int32(_offset + SlotFetcherPidOffset);
}
