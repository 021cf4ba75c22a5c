using System.IO.MemoryMappedFiles;
using OpenVdi.Transport;
using static OpenVdi.Transport.ControlSegmentDescriptor;

namespace OpenVdi.Tests.Infrastructure;

/// <summary>
/// The hostile writer of the soak: maps a set's control segment and first buffer segment through mappings of its own
/// (as another process with write access would) and writes into one field at a time, chosen from every field of both
/// layouts, a value chosen to hurt (0, 1, -1, one off, a flipped bit, a state number, the extremes, random), or
/// follows one of the targeted recipes that once got further than a failed set.
/// </summary>
public sealed class HostileMutator : IDisposable
{
    /// <summary>A field of a layout: where it is, how wide, and its name for the report.</summary>
    private readonly record struct Field(string Name, long Offset, int Width);

    private static readonly Field[] s_header = BuildHeader();
    private static readonly string[] s_deviceFieldNames = ["wake", "waiters", "armed", "tail", "state", "head", "closed", "bound", "owner", "name-length"];
    private static readonly int[] s_deviceFieldOffsets =
    [
        DeviceWakeOffset, DeviceWaitersOffset, DeviceArmedOffset, DeviceTailOffset, DeviceStateOffset,
        DeviceHeadOffset, DeviceClosedOffset, DeviceBoundOffset, DeviceOwnerPidOffset, DeviceNameLengthOffset,
    ];

    private static readonly Field[] s_slot =
    [
        new("state", SlotStateOffset, 4), new("sequence", SlotSequenceOffset, 4), new("command", SlotCommandOffset, 4),
        new("size", SlotSizeOffset, 4), new("in-position", SlotInPositionOffset, 8), new("buffer", SlotBufferOffset, 4),
        new("completion", SlotCompletionCodeOffset, 4), new("bytes", SlotBytesOffset, 4), new("out-position", SlotOutPositionOffset, 8),
        new("fetcher", SlotFetcherPidOffset, 4),
    ];

    private static readonly Field[] s_bufferHeader =
    [
        new("b.magic", BufferAreaDescriptor.MagicOffset, 8), new("b.version", BufferAreaDescriptor.LayoutVersionOffset, 4),
        new("b.header-length", BufferAreaDescriptor.HeaderLengthOffset, 4), new("b.length", BufferAreaDescriptor.SegmentLengthOffset, 8),
        new("b.incarnation", BufferAreaDescriptor.IncarnationOffset, 8), new("b.index", BufferAreaDescriptor.SegmentIndexOffset, 4),
        new("b.first", BufferAreaDescriptor.FirstBufferIndexOffset, 4), new("b.count", BufferAreaDescriptor.BufferCountOffset, 4),
        new("b.prefix", BufferAreaDescriptor.PrefixZoneSizeOffset, 4), new("b.table", BufferAreaDescriptor.EntryTableOffsetOffset, 4),
        new("b.data", BufferAreaDescriptor.DataRegionOffsetOffset, 4),
    ];

    private static readonly Field[] s_entry =
    [
        new("state", BufferAreaDescriptor.EntryStateOffset, 4), new("generation", BufferAreaDescriptor.EntryGenerationOffset, 4),
        new("data-offset", BufferAreaDescriptor.EntryDataOffsetOffset, 8), new("capacity", BufferAreaDescriptor.EntryCapacityOffset, 4),
        new("alignment", BufferAreaDescriptor.EntryAlignmentOffset, 4), new("in-flight-device", BufferAreaDescriptor.EntryInFlightDeviceOffset, 4),
        new("in-flight-sequence", BufferAreaDescriptor.EntryInFlightSequenceOffset, 4),
    ];

    private readonly Random _random;
    private readonly string _controlPath;
    private readonly int _devices;
    private readonly List<string> _applied = [];
    private Mapping? _control;
    private Mapping? _buffers;

    public HostileMutator(string setName, int devices, Random random)
    {
        _controlPath = HostileWriter.ControlPath(setName);
        _devices = devices;
        _random = random;
    }

    /// <summary>What was written, in order, for the report of a run that went wrong.</summary>
    public IReadOnlyList<string> Applied => _applied;

    /// <summary>How many writes landed while the set was live (not yet ended or aborted).</summary>
    public int LiveWrites { get; private set; }

    /// <summary>The set's state and abort words as the writer sees them; (0, 0) when the file is gone.</summary>
    public (int State, int Abort) Observe() =>
        TryControl() is { } c ? (c.Read32(SetStateOffset), c.Read32(AbortReasonOffset)) : (0, 0);

    /// <summary>One random write into a random field of either layout.</summary>
    public void RandomWrite()
    {
        bool buffer = _random.Next(5) == 0;
        if (buffer && TryBuffers() is { } b)
        {
            int count = b.Read32(BufferAreaDescriptor.BufferCountOffset);
            var field = _random.Next(3) == 0 || count <= 0 ? Pick(s_bufferHeader) : Entry(Pick(s_entry), _random.Next(Math.Min(count, 64)));
            Write(b, field, Value(b, field));
            return;
        }

        if (TryControl() is not { } c)
        {
            return;
        }

        Field target = _random.Next(6) switch
        {
            0 => Pick(s_header),
            1 or 2 => DeviceField(_random.Next(_devices), _random.Next(s_deviceFieldNames.Length)),
            _ => SlotField(c, _random.Next(_devices)),
        };
        Write(c, target, Value(c, target));
    }

    /// <summary>The recipes of issue 8, items 1 to 8, and one the long soak found: each once got a set to hang or to lie.</summary>
    public static readonly string[] Recipes =
    [
        "closed-flag", "state-zero", "erase-notifications", "complete-queued", "swap-buffer", "negotiated-block-size",
        "negotiated-transfer-size", "waiters-zero", "device-io-error", "device-state-garbage", "delivered-again",
    ];

    /// <summary>Applies recipe <paramref name="recipe"/> to the live set.</summary>
    public void Targeted(string recipe)
    {
        if (TryControl() is not { } c)
        {
            return;
        }

        int device = _random.Next(_devices);
        long record = HostileWriter.Device(device);
        switch (recipe)
        {
            case "closed-flag":
                Write(c, new("closed", record + DeviceClosedOffset, 4), 1);
                break;
            case "state-zero":
                Write(c, new("set-state", SetStateOffset, 4), 0);
                break;
            case "erase-notifications":
                for (int i = 0; i < 20; i++)
                {
                    Write(c, new("dirty", DirtyDevicesOffset, 8), 0);
                    Thread.Sleep(1);
                }

                break;
            case "complete-queued":
                if (FindSlot(c, record, SlotState.Queued) is { } queued)
                {
                    Write(c, new("completion", queued + SlotCompletionCodeOffset, 4), 0);
                    Write(c, new("bytes", queued + SlotBytesOffset, 4), c.Read32(queued + SlotSizeOffset));
                    Write(c, new("slot-state", queued + SlotStateOffset, 4), (int)SlotState.Completed);
                    Write(c, new("dirty", DirtyDevicesOffset, 8), 1L << device);
                }

                break;
            case "swap-buffer":
                if (FindSlot(c, record, SlotState.Queued) is { } slot && c.Read32(slot + SlotBufferOffset) is int index and > 0)
                {
                    Write(c, new("buffer", slot + SlotBufferOffset, 4), index == 1 ? 2 : index - 1);
                }

                break;
            case "negotiated-block-size":
                Write(c, new("negotiated.blockSize", NegotiatedConfigOffset + 28, 4), 3000);
                break;
            case "negotiated-transfer-size":
                Write(c, new("negotiated.maxTransferSize", NegotiatedConfigOffset + 36, 4), -1);
                break;
            case "waiters-zero":
                Write(c, new("waiters", record + DeviceWaitersOffset, 4), 0);
                break;
            case "device-io-error":
                // Found by the long soak: a device the client never failed, put in IO-ERROR by someone else.
                Write(c, new("state", record + DeviceStateOffset, 4), 1);
                break;
            case "device-state-garbage":
                // Found by the long soak: a device state that is no state, written while the server sends.
                Write(c, new("state", record + DeviceStateOffset, 4), _random.Next(2, int.MaxValue));
                break;
            case "delivered-again":
                // Found by the long soak: a command the client completed, put back to Delivered before the agent saw it
                // (a completion is retired within microseconds: watched for, up to 200 ms).
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (clock.ElapsedMilliseconds < 200)
                {
                    if (FindSlot(c, record, SlotState.Completed) is { } completed)
                    {
                        Write(c, new("slot-state", completed + SlotStateOffset, 4), (int)SlotState.Delivered);
                        break;
                    }
                }

                break;
            default:
                throw new ArgumentException(recipe, nameof(recipe));
        }
    }

    /// <summary>Before the server opens: a request that would size memory from hostile numbers (item 6).</summary>
    public void ForgeRequest()
    {
        if (TryControl() is { } c)
        {
            bool prefix = _random.Next(2) == 0;
            Write(c, new(prefix ? "requested.prefixZone" : "requested.alignment", RequestedConfigOffset + (prefix ? 8 : 12), 4), prefix ? 32 << 20 : 1 << 20);
        }
    }

    /// <summary>An abort cleared as soon as it shows (item 8); true when it showed and was cleared.</summary>
    public bool ClearAbortOnceSeen()
    {
        if (TryControl() is not { } c)
        {
            return false;
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.ElapsedMilliseconds < 200)
        {
            if (c.Read32(AbortReasonOffset) != 0)
            {
                Write(c, new("abort", AbortReasonOffset, 4), 0);
                return true;
            }

            Thread.SpinWait(50);
        }

        return false;
    }

    private static Field[] BuildHeader()
    {
        var fields = new List<Field>
        {
            new("magic", MagicOffset, 8), new("version", LayoutVersionOffset, 4), new("header-length", HeaderLengthOffset, 4),
            new("segment-length", SegmentLengthOffset, 8), new("device-count", DeviceCountOffset, 4), new("slots", SlotsPerDeviceOffset, 4),
            new("record-length", DeviceRecordLengthOffset, 4), new("handle-tag", HandleTagOffset, 4), new("incarnation", IncarnationOffset, 8),
            new("primary-pid", PrimaryPidOffset, 4), new("server-pid", ServerPidOffset, 4), new("file-mode", FileModeOffset, 4),
            new("primary-closed", PrimaryClosedOffset, 4), new("server-closed", ServerClosedOffset, 4),
            new("buffer-segments", BufferSegmentCountOffset, 4), new("buffer-length-0", BufferSegmentLengthsOffset, 8),
            new("buffer-length-1", BufferSegmentLengthsOffset + 8, 8), new("set-name-length", SetNameLengthOffset, 4),
            new("instance-length", InstanceNameLengthOffset, 4), new("set-state", SetStateOffset, 4), new("abort", AbortReasonOffset, 4),
            new("config-event", ConfigEventOffset, 4), new("config-waiters", ConfigWaitersOffset, 4), new("agent-event", AgentEventOffset, 4),
            new("agent-waiting", AgentWaitingOffset, 4), new("dirty", DirtyDevicesOffset, 8),
            new("doorbell", DoorbellOffset, 4), new("doorbell-waiters", DoorbellWaitersOffset, 4), new("ready", ReadyDevicesOffset, 8),
            new("primary-configured", PrimaryConfiguredOffset, 4),
        };
        for (int i = 0; i < VdConfig.Size / 4; i++)
        {
            fields.Add(new($"requested[{i}]", RequestedConfigOffset + (i * 4), 4));
            fields.Add(new($"negotiated[{i}]", NegotiatedConfigOffset + (i * 4), 4));
        }

        return [.. fields];
    }

    private Field Pick(Field[] fields) => fields[_random.Next(fields.Length)];

    private static Field DeviceField(int device, int which) =>
        new($"device{device}.{s_deviceFieldNames[which]}", HostileWriter.Device(device) + s_deviceFieldOffsets[which], 4);

    private static Field Entry(Field field, int index) =>
        field with { Name = $"entry{index}.{field.Name}", Offset = BufferAreaDescriptor.EntryOffset(index) + field.Offset };

    /// <summary>A slot field near where the ring is busy: at the head, just behind it, or anywhere.</summary>
    private Field SlotField(Mapping c, int device)
    {
        long record = HostileWriter.Device(device);
        int head = c.Read32(record + DeviceHeadOffset);
        uint sequence = (uint)(_random.Next(3) switch
        {
            0 => head - 1,
            1 => head - 1 - _random.Next(4),
            _ => _random.Next(SlotsPerDevice),
        });
        var field = Pick(s_slot);
        return field with { Name = $"device{device}.slot{sequence % SlotsPerDevice}.{field.Name}", Offset = HostileWriter.Slot(device, sequence) + field.Offset };
    }

    private static long? FindSlot(Mapping c, long record, SlotState state)
    {
        int head = c.Read32(record + DeviceHeadOffset);
        for (int back = 1; back <= SlotsPerDevice; back++)
        {
            long slot = ControlSegmentDescriptor.SlotOffset(record, (int)((uint)(head - back) % SlotsPerDevice));
            if (c.Read32(slot + SlotStateOffset) == (int)state)
            {
                return slot;
            }
        }

        return null;
    }

    private long Value(Mapping map, Field field)
    {
        long old = field.Width == 8 ? map.Read64(field.Offset) : map.Read32(field.Offset);
        return _random.Next(10) switch
        {
            0 => 0,
            1 => 1,
            2 => -1,
            3 => old + 1,
            4 => old - 1,
            5 => old ^ (1L << _random.Next(field.Width * 8)),
            6 => _random.Next(8),
            7 => field.Width == 8 ? long.MaxValue : int.MaxValue,
            8 => field.Width == 8 ? long.MinValue : int.MinValue,
            _ => field.Width == 8 ? _random.NextInt64() : _random.Next(int.MinValue, int.MaxValue),
        };
    }

    private void Write(Mapping map, Field field, long value)
    {
        var (state, abort) = Observe();
        if (state is >= (int)SharedSetState.Created and < (int)SharedSetState.NormallyTerminated && abort == 0)
        {
            LiveWrites++;
        }

        map.Write(field.Offset, field.Width, value);
        _applied.Add($"{field.Name}={value}");
    }

    private Mapping? TryControl() => _control ??= Mapping.TryOpen(_controlPath);

    private Mapping? TryBuffers() => _buffers ??= Mapping.TryOpen(SegmentName.BufferPath(_controlPath, 0));

    public void Dispose()
    {
        _control?.Dispose();
        _buffers?.Dispose();
    }

    /// <summary>A writable shared mapping of one segment file; the file may be removed meanwhile, the mapping stays.</summary>
    private sealed class Mapping : IDisposable
    {
        private readonly MemoryMappedFile _file;
        private readonly MemoryMappedViewAccessor _view;

        private Mapping(MemoryMappedFile file, MemoryMappedViewAccessor view)
        {
            _file = file;
            _view = view;
        }

        public static Mapping? TryOpen(string path)
        {
            try
            {
                var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.ReadWrite);
                return new Mapping(file, file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.ReadWrite));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                return null;
            }
        }

        public int Read32(long offset) => offset + 4 <= _view.Capacity ? _view.ReadInt32(offset) : 0;

        public long Read64(long offset) => offset + 8 <= _view.Capacity ? _view.ReadInt64(offset) : 0;

        public void Write(long offset, int width, long value)
        {
            if (offset < 0 || offset + width > _view.Capacity)
            {
                return;
            }

            if (width == 8)
            {
                _view.Write(offset, value);
            }
            else
            {
                _view.Write(offset, (int)value);
            }
        }

        public void Dispose()
        {
            _view.Dispose();
            _file.Dispose();
        }
    }
}
