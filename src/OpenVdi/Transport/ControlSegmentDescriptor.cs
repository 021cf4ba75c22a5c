namespace OpenVdi.Transport;

/// <summary>
/// Layout of a set's control segment (<c>/dev/shm/openvdi.&lt;instance&gt;.&lt;set&gt;</c>), created by the primary
/// client in CreateEx. All integers are little-endian; every offset is derived here and nowhere else.
/// <code>
///   0                     header (HeaderLength bytes)
///                           identity, configuration, buffer-area table, names, hot words (each in a block of its own)
///   HeaderLength          device record 0 (DeviceRecordLength bytes)
///   ...                   device record i at HeaderLength + i * DeviceRecordLength
///                           each: client words, server words, name, then SlotsPerDevice command slots
/// </code>
/// The layout version is written last, with a release store: a segment whose version is 0 is not initialised.
/// See docs/transport-layout.md for the same tables with the rules of who writes what.
/// </summary>
internal static class ControlSegmentDescriptor
{
    /// <summary>"OPENVDI1" read as a little-endian 64-bit integer.</summary>
    public const ulong Magic = 0x3149_4456_4E45_504F;

    /// <summary>
    /// 3: the client doorbell block (a futex word, its waiters, the ready-device mask), a device's async-waiter flag and
    /// the primary's "configured" flag were added, and every offset is derived from a running total.
    /// </summary>
    public const int LayoutVersion = 3;

    /// <summary>Two cache lines: hot words written by one side sit alone in such a block, against false sharing
    /// (adjacent-line prefetch pulls lines in pairs).</summary>
    public const int CacheLinePair = 128;

    // Identity block, written by the primary at creation (the flags and the server's fields later, as noted).
    //  0                   1                   2                   3
    //  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    // +-------------------------------------------------------------+
    // |                      Magic (64 bits)                         |  0
    // +-------------------------------------------------------------+
    // |                      Layout version                          |  8
    // |                      Header length                           | 12
    // |                      Segment length (64 bits)                | 16
    // |                      Device count                            | 24
    // |                      Slots per device                        | 28
    // |                      Device record length                    | 32
    // |                      Buffer handle tag                       | 36
    // |                      Incarnation (64 bits, random)           | 40
    // |                      Primary client pid                      | 48
    // |                      Server pid                              | 52
    // |                      File mode                               | 56
    // |                      Primary closed normally (flag)          | 60
    // |                      Server closed normally (flag)           | 64
    // |                      Buffer segment count (server)           | 68
    // |                      Primary configured (flag)               | 72
    // |                      Requested VDConfig (44 bytes)           | 76
    // |                      Negotiated VDConfig (44 bytes, server)  | 120
    // |                      (padding to 8 bytes)                    | 164
    // |                      Buffer segment lengths (16 x 64 bits)   | 168
    // +-------------------------------------------------------------+
    public const int MagicOffset = 0;
    public const int LayoutVersionOffset = MagicOffset + sizeof(ulong);
    public const int HeaderLengthOffset = LayoutVersionOffset + sizeof(int);
    public const int SegmentLengthOffset = HeaderLengthOffset + sizeof(int);
    public const int DeviceCountOffset = SegmentLengthOffset + sizeof(long);
    public const int SlotsPerDeviceOffset = DeviceCountOffset + sizeof(int);
    public const int DeviceRecordLengthOffset = SlotsPerDeviceOffset + sizeof(int);
    public const int HandleTagOffset = DeviceRecordLengthOffset + sizeof(int);
    public const int IncarnationOffset = HandleTagOffset + sizeof(int);
    public const int PrimaryPidOffset = IncarnationOffset + sizeof(long);
    public const int ServerPidOffset = PrimaryPidOffset + sizeof(int);
    public const int FileModeOffset = ServerPidOffset + sizeof(int);
    public const int PrimaryClosedOffset = FileModeOffset + sizeof(int);
    public const int ServerClosedOffset = PrimaryClosedOffset + sizeof(int);
    public const int BufferSegmentCountOffset = ServerClosedOffset + sizeof(int);

    /// <summary>Set (release) by the primary once its GetConfiguration succeeded: secondaries may attach from then on.</summary>
    public const int PrimaryConfiguredOffset = BufferSegmentCountOffset + sizeof(int);
    public const int RequestedConfigOffset = PrimaryConfiguredOffset + sizeof(int);
    public const int NegotiatedConfigOffset = RequestedConfigOffset + VdConfig.Size;
    public const int BufferSegmentLengthsOffset = ((NegotiatedConfigOffset + VdConfig.Size) + sizeof(long) - 1) & ~(sizeof(long) - 1);
    public const int MaxBufferSegments = 16;
    public const int IdentityEnd = BufferSegmentLengthsOffset + (MaxBufferSegments * sizeof(long));

    // Names block: length-prefixed UTF-16 (length in characters).
    public const int SetNameLengthOffset = IdentityEnd;
    public const int SetNameOffset = SetNameLengthOffset + sizeof(int);
    public const int InstanceNameLengthOffset = SetNameOffset + (SegmentName.MaxNameLength * sizeof(char));
    public const int InstanceNameOffset = InstanceNameLengthOffset + sizeof(int);
    public const int NamesEnd = InstanceNameOffset + (SegmentName.MaxInstanceLength * sizeof(char));

    // Hot words, each group alone in a cache-line pair.
    /// <summary>The set state (<see cref="SharedSetState"/>) and the abort reason (<see cref="AbortReason"/>).</summary>
    public const int SetStateOffset = (NamesEnd + CacheLinePair - 1) & ~(CacheLinePair - 1);
    public const int AbortReasonOffset = SetStateOffset + sizeof(int);

    /// <summary>Futex word bumped on every set-wide event (configuration done, abort); GetConfiguration sleeps on it.</summary>
    public const int ConfigEventOffset = SetStateOffset + CacheLinePair;
    public const int ConfigWaitersOffset = ConfigEventOffset + sizeof(int);

    /// <summary>Futex word of the server's completion agent, its sleeping flag, and the mask of devices with completions.</summary>
    public const int AgentEventOffset = ConfigEventOffset + CacheLinePair;
    public const int AgentWaitingOffset = AgentEventOffset + sizeof(int);
    public const int DirtyDevicesOffset = AgentWaitingOffset + sizeof(int);

    /// <summary>
    /// The clients' doorbell: the futex word each client process's one asynchronous waiter sleeps on, how many sleep,
    /// and the mask of devices with a command ready for an armed asynchronous waiter. The server rings it (bumps the
    /// word) after it sets a bit, and at every set-wide event.
    /// </summary>
    public const int DoorbellOffset = AgentEventOffset + CacheLinePair;
    public const int DoorbellWaitersOffset = DoorbellOffset + sizeof(int);
    public const int ReadyDevicesOffset = DoorbellWaitersOffset + sizeof(int);

    public const int HeaderLength = DoorbellOffset + CacheLinePair;

    // Device record: four blocks of a cache-line pair each, then the slots.
    /// <summary>Client side: futex word bumped on every event the device's GetCommand waits for, its waiter count, and
    /// the flag of an armed asynchronous waiter (the server then also rings the doorbell).</summary>
    public const int DeviceWakeOffset = 0;
    public const int DeviceWaitersOffset = DeviceWakeOffset + sizeof(int);
    public const int DeviceArmedOffset = DeviceWaitersOffset + sizeof(int);

    /// <summary>Client-written: next sequence to deliver, and the device state.</summary>
    public const int DeviceTailOffset = DeviceWakeOffset + CacheLinePair;
    public const int DeviceStateOffset = DeviceTailOffset + sizeof(int);

    /// <summary>Server-written: next sequence to publish, and the closed flag.</summary>
    public const int DeviceHeadOffset = DeviceTailOffset + CacheLinePair;
    public const int DeviceClosedOffset = DeviceHeadOffset + sizeof(int);

    /// <summary>Binding: server named the device (release-stored after the name), the client process that opened it.</summary>
    public const int DeviceBoundOffset = DeviceHeadOffset + CacheLinePair;
    public const int DeviceOwnerPidOffset = DeviceBoundOffset + sizeof(int);
    public const int DeviceNameLengthOffset = DeviceOwnerPidOffset + sizeof(int);
    public const int DeviceNameOffset = DeviceNameLengthOffset + sizeof(int);
    public const int DeviceNameEnd = DeviceNameOffset + (SegmentName.MaxNameLength * sizeof(char));
    public const int DeviceSlotsOffset = (DeviceNameEnd + CacheLinePair - 1) & ~(CacheLinePair - 1);

    /// <summary>Command slots per device: how many commands may be queued or outstanding on one device.</summary>
    public const int SlotsPerDevice = VdiLimits.MaxCommandsPerDevice;

    // Command slot: one cache line.
    //  0  state (SlotState)          4  sequence
    //  8  command code              12  size
    // 16  input position (64)
    // 24  buffer index + 1 (0: none) 28  delivery digest (client, at completion: see CommandDigest)
    // 32  completion code           36  bytes transferred
    // 40  output position (64)
    // 48  pid of the fetching process, then reserved to 64
    public const int SlotStateOffset = 0;
    public const int SlotSequenceOffset = SlotStateOffset + sizeof(int);
    public const int SlotCommandOffset = SlotSequenceOffset + sizeof(int);
    public const int SlotSizeOffset = SlotCommandOffset + sizeof(int);
    public const int SlotInPositionOffset = SlotSizeOffset + sizeof(int);
    public const int SlotBufferOffset = SlotInPositionOffset + sizeof(long);
    public const int SlotDigestOffset = SlotBufferOffset + sizeof(int);
    public const int SlotCompletionCodeOffset = SlotDigestOffset + sizeof(int);
    public const int SlotBytesOffset = SlotCompletionCodeOffset + sizeof(int);
    public const int SlotOutPositionOffset = SlotBytesOffset + sizeof(int);
    public const int SlotFetcherPidOffset = SlotOutPositionOffset + sizeof(long);
    public const int SlotLength = 64;

    public const int MaxDevices = VdiLimits.MaxDevices;

    /// <summary>Every field of the header: name, offset, length (for the layout's own tests and docs).</summary>
    internal static readonly (string Name, int Offset, int Length)[] HeaderFields =
    [
        ("magic", MagicOffset, sizeof(ulong)), ("layout version", LayoutVersionOffset, sizeof(int)), ("header length", HeaderLengthOffset, sizeof(int)),
        ("segment length", SegmentLengthOffset, sizeof(long)), ("device count", DeviceCountOffset, sizeof(int)), ("slots per device", SlotsPerDeviceOffset, sizeof(int)),
        ("device record length", DeviceRecordLengthOffset, sizeof(int)), ("handle tag", HandleTagOffset, sizeof(int)), ("incarnation", IncarnationOffset, sizeof(long)),
        ("primary pid", PrimaryPidOffset, sizeof(int)), ("server pid", ServerPidOffset, sizeof(int)), ("file mode", FileModeOffset, sizeof(int)),
        ("primary closed", PrimaryClosedOffset, sizeof(int)), ("server closed", ServerClosedOffset, sizeof(int)), ("buffer segment count", BufferSegmentCountOffset, sizeof(int)),
        ("primary configured", PrimaryConfiguredOffset, sizeof(int)), ("requested config", RequestedConfigOffset, VdConfig.Size), ("negotiated config", NegotiatedConfigOffset, VdConfig.Size),
        ("buffer segment lengths", BufferSegmentLengthsOffset, MaxBufferSegments * sizeof(long)), ("set name length", SetNameLengthOffset, sizeof(int)),
        ("set name", SetNameOffset, SegmentName.MaxNameLength * sizeof(char)), ("instance name length", InstanceNameLengthOffset, sizeof(int)),
        ("instance name", InstanceNameOffset, SegmentName.MaxInstanceLength * sizeof(char)), ("set state", SetStateOffset, sizeof(int)), ("abort reason", AbortReasonOffset, sizeof(int)),
        ("config event", ConfigEventOffset, sizeof(int)), ("config waiters", ConfigWaitersOffset, sizeof(int)), ("agent event", AgentEventOffset, sizeof(int)),
        ("agent waiting", AgentWaitingOffset, sizeof(int)), ("dirty devices", DirtyDevicesOffset, sizeof(long)), ("doorbell", DoorbellOffset, sizeof(int)),
        ("doorbell waiters", DoorbellWaitersOffset, sizeof(int)), ("ready devices", ReadyDevicesOffset, sizeof(long)),
    ];

    /// <summary>Every field of a device record before its slots: name, offset, length.</summary>
    internal static readonly (string Name, int Offset, int Length)[] DeviceFields =
    [
        ("wake", DeviceWakeOffset, sizeof(int)), ("waiters", DeviceWaitersOffset, sizeof(int)), ("armed", DeviceArmedOffset, sizeof(int)),
        ("tail", DeviceTailOffset, sizeof(int)), ("state", DeviceStateOffset, sizeof(int)), ("head", DeviceHeadOffset, sizeof(int)),
        ("closed", DeviceClosedOffset, sizeof(int)), ("bound", DeviceBoundOffset, sizeof(int)), ("owner pid", DeviceOwnerPidOffset, sizeof(int)),
        ("name length", DeviceNameLengthOffset, sizeof(int)), ("name", DeviceNameOffset, SegmentName.MaxNameLength * sizeof(char)),
    ];

    public static int DeviceRecordLength(int slotsPerDevice) => DeviceSlotsOffset + (slotsPerDevice * SlotLength);

    public static long SegmentLength(int deviceCount, int slotsPerDevice) =>
        HeaderLength + ((long)deviceCount * DeviceRecordLength(slotsPerDevice));

    public static long DeviceOffset(int device, int deviceRecordLength) => HeaderLength + ((long)device * deviceRecordLength);

    public static long SlotOffset(long deviceOffset, int slot) => deviceOffset + DeviceSlotsOffset + ((long)slot * SlotLength);

    /// <summary>Checks the fixed header fields of a mapped segment against its mapped length before anything else is read.</summary>
    public static void CheckHeader(SharedRegion region)
    {
        if (region.Length < HeaderLength || (ulong)region.Int64(MagicOffset).ReadAcquire() != Magic)
        {
            throw new CorruptSegmentException("Not an OpenVdi control segment (bad magic).");
        }

        if (region.Int32(LayoutVersionOffset).ReadAcquire() != LayoutVersion)
        {
            throw new CorruptSegmentException("Unsupported or uninitialised control segment layout version.");
        }

        int deviceCount = region.Int32(DeviceCountOffset).ReadPlain();
        int slots = region.Int32(SlotsPerDeviceOffset).ReadPlain();
        if (region.Int32(HeaderLengthOffset).ReadPlain() != HeaderLength
            || deviceCount is < 1 or > MaxDevices
            || slots != SlotsPerDevice
            || region.Int32(DeviceRecordLengthOffset).ReadPlain() != DeviceRecordLength(slots)
            || region.Int64(SegmentLengthOffset).ReadPlain() != SegmentLength(deviceCount, slots)
            || region.Length < SegmentLength(deviceCount, slots))
        {
            throw new CorruptSegmentException("Control segment header lengths do not match the mapped segment.");
        }
    }
}

/// <summary>The set state word of the control segment.</summary>
internal enum SharedSetState
{
    /// <summary>Created by the primary client; no server yet (client view: Configurable).</summary>
    Created = 1,

    /// <summary>A server has opened the set.</summary>
    Connected = 2,

    /// <summary>The server is configuring (BeginConfiguration called).</summary>
    Configurable = 3,

    /// <summary>EndConfiguration done: GetConfiguration returns.</summary>
    Initializing = 4,

    /// <summary>Devices are open and commands flow.</summary>
    Active = 5,

    /// <summary>The server closed every device.</summary>
    NormallyTerminated = 6,
}

/// <summary>Why a set aborted; 0 while it has not.</summary>
internal enum AbortReason
{
    None = 0,
    ClientSignalled = 1,
    ServerSignalled = 2,
    ClientClosedWithOpenDevices = 3,
    ServerClosedWithOpenDevices = 4,
    ServerTimeout = 5,
    PrimaryClientDied = 6,
    ServerDied = 7,
    CorruptSegment = 8,
    PrimaryClosed = 9,
}

/// <summary>The state of one command slot.</summary>
internal enum SlotState
{
    /// <summary>Unused: the server may fill it.</summary>
    Free = 0,

    /// <summary>Published by the server, not yet fetched.</summary>
    Queued = 1,

    /// <summary>Fetched by a client (GetCommand).</summary>
    Delivered = 2,

    /// <summary>A client is writing the completion (transient).</summary>
    Completing = 3,

    /// <summary>Completed (by the client, or by the transport with ERROR_IO_DEVICE); the agent retires it.</summary>
    Completed = 4,
}

/// <summary>The state word of a device record.</summary>
internal enum SharedDeviceState
{
    Active = 0,
    IoError = 1,
}
