using System.Runtime.InteropServices;
using System.Security.Cryptography;
using static OpenVdi.Transport.ControlSegmentDescriptor;

namespace OpenVdi.Transport;

/// <summary>
/// One process's attachment to a set's control segment: the mapping, typed checked accessors over
/// <see cref="ControlSegmentDescriptor"/>, abort signalling and peer liveness. Geometry (device count, record
/// length, tag, incarnation) is read once, checked, and kept locally so that a peer cannot change it later.
/// </summary>
internal sealed unsafe class ControlSegment : IDisposable
{
    private readonly MappedFile _file;
    private long _nextLivenessProbe;

    // This process's own memory of the set, which no peer can write: an abort seen or made here stays an abort (a
    // peer clearing the shared word cannot undo it), and the set state never goes back below what was seen.
    private int _latchedAbort;
    private int _highestSetState;

    private ControlSegment(MappedFile file, string instance, string setName)
    {
        _file = file;
        Instance = instance;
        SetName = setName;
        var region = file.Region;
        DeviceCount = region.Int32(DeviceCountOffset);
        DeviceRecordLength = region.Int32(DeviceRecordLengthOffset);
        HandleTag = (uint)region.Int32(HandleTagOffset);
        Incarnation = (ulong)region.Int64(IncarnationOffset);
    }

    public string Path => _file.Path;

    public string Instance { get; }

    public string SetName { get; }

    public int DeviceCount { get; }

    public int DeviceRecordLength { get; }

    public uint HandleTag { get; }

    public ulong Incarnation { get; }

    public int FileDescriptor => _file.FileDescriptor;

    public SharedRegion Region => _file.Region;

    public ref int SetState => ref Region.Int32(SetStateOffset);

    public ref int Abort => ref Region.Int32(AbortReasonOffset);

    public ref int ConfigEvent => ref Region.Int32(ConfigEventOffset);

    public ref int ConfigWaiters => ref Region.Int32(ConfigWaitersOffset);

    public ref int AgentEvent => ref Region.Int32(AgentEventOffset);

    public ref int AgentWaiting => ref Region.Int32(AgentWaitingOffset);

    public ref long DirtyDevices => ref Region.Int64(DirtyDevicesOffset);

    public ref int Doorbell => ref Region.Int32(DoorbellOffset);

    public ref int DoorbellWaiters => ref Region.Int32(DoorbellWaitersOffset);

    public ref long ReadyDevices => ref Region.Int64(ReadyDevicesOffset);

    public ref int PrimaryConfigured => ref Region.Int32(PrimaryConfiguredOffset);

    public ref int PrimaryClosed => ref Region.Int32(PrimaryClosedOffset);

    public ref int ServerClosed => ref Region.Int32(ServerClosedOffset);

    public ref int BufferSegmentCount => ref Region.Int32(BufferSegmentCountOffset);

    public ref long BufferSegmentLength(int index) => ref Region.Int64(BufferSegmentLengthsOffset + ((long)index * sizeof(long)));

    /// <summary>
    /// Whether the set has aborted: an abort this process made or once saw is latched here, so that a peer that
    /// clears the shared word afterwards cannot undo it.
    /// </summary>
    public bool IsAborted
    {
        get
        {
            if (Volatile.Read(ref _latchedAbort) != 0)
            {
                // Written back if a peer cleared it: every process of the set must keep seeing it.
                if (Volatile.Read(ref Abort) == 0)
                {
                    ReassertAbort();
                }

                return true;
            }

            int reason = Volatile.Read(ref Abort);
            if (reason == 0)
            {
                return false;
            }

            Interlocked.CompareExchange(ref _latchedAbort, reason, 0);
            return true;
        }
    }

    /// <summary>Why the set aborted, as this process knows it; <see cref="AbortReason.None"/> while it has not.</summary>
    public AbortReason AbortReasonSeen => IsAborted ? (AbortReason)Volatile.Read(ref _latchedAbort) : AbortReason.None;

    /// <summary>
    /// Creates the control segment of a new set (primary client). A file of that name whose owners have all died is
    /// reclaimed; one that a live process still holds gives <see cref="VdiResult.VD_E_BUSY"/>.
    /// </summary>
    public static VdiResult TryCreate(string instance, string setName, in VdConfig config, int mode, out ControlSegment? segment)
    {
        segment = null;
        string path = SegmentName.ControlPath(instance, setName);
        long length = SegmentLength((int)config.DeviceCount, SlotsPerDevice);

        // Made and initialised under a staging name, then given the set's name in one atomic rename: a server never
        // finds a half-written set, and waiting for the name to appear is waiting for a set ready to open.
        string staging = SegmentName.StagingPath(path);
        var result = MappedFile.TryCreate(staging, length, mode, keepDescriptor: true, out var file, out _);
        if (result != VdiResult.NOERROR)
        {
            return result == VdiResult.VD_E_BUSY ? VdiResult.VD_E_MEMORY : result;
        }

        // The primary's liveness lock is taken before anything else, so that no sweep takes this file for a stale one.
        if (!LivenessLock.TryAcquire(file!.FileDescriptor, LivenessLock.PrimaryByte))
        {
            file.Dispose();
            Posix.Unlink(staging);
            return VdiResult.VD_E_SECURITY;
        }

        Initialize(file.Region, instance, setName, config, mode, length);
        for (int attempt = 0; ; attempt++)
        {
            int errno = file.TryMoveTo(path);
            if (errno == 0)
            {
                segment = new ControlSegment(file, instance, setName);
                return VdiResult.NOERROR;
            }

            // A file of that name whose owners have all died is reclaimed once; a live one keeps its name.
            if (errno == Posix.EEXIST && attempt == 0 && StaleSegments.TryReclaim(path))
            {
                continue;
            }

            file.Dispose();
            Posix.Unlink(staging);
            return errno == Posix.EEXIST ? VdiResult.VD_E_BUSY : VdiResult.VD_E_MEMORY;
        }
    }

    /// <summary>
    /// Opens the control segment of an existing set (server or secondary client), checks its header, and checks that
    /// the name stored in it is exactly <paramref name="setName"/> (names are case-sensitive).
    /// </summary>
    public static VdiResult TryOpen(string instance, string setName, out ControlSegment? segment)
    {
        segment = null;
        string path = SegmentName.ControlPath(instance, setName);
        long maxLength = SegmentLength(MaxDevices, SlotsPerDevice);
        var result = MappedFile.TryOpen(path, HeaderLength, maxLength, keepDescriptor: true, out var file, out _);
        if (result != VdiResult.NOERROR)
        {
            return result == VdiResult.VD_E_UNEXPECTED ? VdiResult.VD_E_INVALID : result;
        }

        try
        {
            CheckHeader(file!.Region);
            if (ReadName(file.Region, SetNameLengthOffset, SegmentName.MaxNameLength) != setName
                || ReadName(file.Region, InstanceNameLengthOffset, SegmentName.MaxInstanceLength) != instance)
            {
                file.Dispose();
                return VdiResult.VD_E_INVALID;
            }

            segment = new ControlSegment(file, instance, setName);
            return VdiResult.NOERROR;
        }
        catch (CorruptSegmentException)
        {
            file!.Dispose();
            return VdiResult.VD_E_INVALID;
        }
    }

    private static void Initialize(SharedRegion region, string instance, string setName, in VdConfig config, int mode, long length)
    {
        region.Int64(MagicOffset) = (long)Magic;
        region.Int32(HeaderLengthOffset) = HeaderLength;
        region.Int64(SegmentLengthOffset) = length;
        region.Int32(DeviceCountOffset) = (int)config.DeviceCount;
        region.Int32(SlotsPerDeviceOffset) = SlotsPerDevice;
        region.Int32(DeviceRecordLengthOffset) = DeviceRecordLength(SlotsPerDevice);
        region.Int32(HandleTagOffset) = RandomNumberGenerator.GetInt32(int.MinValue, int.MaxValue);
        Span<byte> incarnation = stackalloc byte[8];
        RandomNumberGenerator.Fill(incarnation);
        region.Int64(IncarnationOffset) = MemoryMarshal.Read<long>(incarnation);
        region.Int32(PrimaryPidOffset) = Posix.GetPid();
        region.Int32(FileModeOffset) = mode;
        WriteConfig(region, RequestedConfigOffset, config);
        WriteName(region, SetNameLengthOffset, setName);
        WriteName(region, InstanceNameLengthOffset, instance);
        region.Int32(SetStateOffset) = (int)SharedSetState.Created;

        // Release: every field above is visible to a process that reads this version.
        Volatile.Write(ref region.Int32(LayoutVersionOffset), LayoutVersion);
    }

    public VdConfig ReadConfig(bool negotiated) =>
        MemoryMarshal.Read<VdConfig>(Region.Bytes(negotiated ? NegotiatedConfigOffset : RequestedConfigOffset, VdConfig.Size));

    public void WriteNegotiatedConfig(in VdConfig config) => WriteConfig(Region, NegotiatedConfigOffset, config);

    private static void WriteConfig(SharedRegion region, int offset, in VdConfig config)
    {
        var copy = config;
        MemoryMarshal.Write(region.Bytes(offset, VdConfig.Size), in copy);
    }

    public ref int Pid(bool server) => ref Region.Int32(server ? ServerPidOffset : PrimaryPidOffset);

    public int FileMode => Region.Int32(FileModeOffset) == 0x1B0 ? 0x1B0 : 0x180; // only 0660 or 0600, whatever a peer wrote

    public DeviceRecord Device(int index)
    {
        if ((uint)index >= (uint)DeviceCount)
        {
            throw new CorruptSegmentException($"Device index {index} outside the set.");
        }

        return new DeviceRecord(Region, DeviceOffset(index, DeviceRecordLength));
    }

    /// <summary>
    /// Aborts the set once: the first reason wins. Every waiter of every kind is woken so that it returns
    /// VD_E_ABORT at once. Returns true if this call was the one that aborted.
    /// </summary>
    public bool SignalAbort(AbortReason reason)
    {
        int previous = Interlocked.CompareExchange(ref Abort, (int)reason, 0);
        bool first = previous == 0 && Interlocked.CompareExchange(ref _latchedAbort, (int)reason, 0) == 0;
        if (previous != 0)
        {
            Interlocked.CompareExchange(ref _latchedAbort, previous, 0);
        }

        WakeEverything();
        return first;
    }

    /// <summary>
    /// Writes a latched abort back into the shared word if a peer cleared it, so that every process still sees it.
    /// Called where this process checks the words it depends on (at least every liveness interval while it waits).
    /// </summary>
    public void ReassertAbort()
    {
        int latched = Volatile.Read(ref _latchedAbort);
        if (latched != 0 && Interlocked.CompareExchange(ref Abort, latched, 0) == 0)
        {
            WakeEverything();
        }
    }

    /// <summary>
    /// The set state word, checked: a value that is no state, or a state below one this process already saw (states
    /// only move forward), is a corrupt segment.
    /// </summary>
    /// <exception cref="CorruptSegmentException">The word holds no state, or went back.</exception>
    public SharedSetState ReadSetState()
    {
        // Acquire: what the server published before the state (the negotiated configuration, a device's name) is visible.
        int state = Volatile.Read(ref SetState);
        if (state is < (int)SharedSetState.Created or > (int)SharedSetState.NormallyTerminated)
        {
            throw new CorruptSegmentException($"The set state word holds {state}, which is no state.");
        }

        int highest = Volatile.Read(ref _highestSetState);
        if (state < highest)
        {
            throw new CorruptSegmentException($"The set state went back from {(SharedSetState)highest} to {(SharedSetState)state}.");
        }

        if (state > highest)
        {
            Interlocked.CompareExchange(ref _highestSetState, state, highest);
        }

        return (SharedSetState)state;
    }

    /// <summary>Moves the set state forward (server, or the primary at creation) and remembers it as seen.</summary>
    public void PublishSetState(SharedSetState state)
    {
        // Release: what was written before (configuration, names) is visible to whoever reads this state.
        Volatile.Write(ref SetState, (int)state);
        int highest;
        while ((int)state > (highest = Volatile.Read(ref _highestSetState)))
        {
            Interlocked.CompareExchange(ref _highestSetState, (int)state, highest);
        }
    }

    /// <summary>Bumps and wakes every futex word of the set (abort, close, liveness).</summary>
    public void WakeEverything()
    {
        Bump(ConfigEventOffset);
        Bump(AgentEventOffset);
        Bump(DoorbellOffset);
        for (int i = 0; i < DeviceCount; i++)
        {
            Bump(DeviceOffset(i, DeviceRecordLength) + DeviceWakeOffset);
        }
    }

    /// <summary>A set-wide event (open, configuration, a device named, the end): wakes GetConfiguration and the doorbells.</summary>
    public void SignalSetEvent()
    {
        Bump(ConfigEventOffset);
        Bump(DoorbellOffset);
    }

    /// <summary>
    /// Something a device's waiter waits for happened (a command published, the device closed, a ClearError now
    /// deliverable): wakes a GetCommand sleeping on the device's word, and rings the doorbell for an armed
    /// asynchronous wait. Costs nothing when nobody waits. The caller made the event visible with a full fence first
    /// (Dekker with the waiter's count and flag).
    /// </summary>
    public void WakeDevice(DeviceRecord record, long deviceBit)
    {
        if (Volatile.Read(ref record.Waiters) > 0)
        {
            Bump(record.WakeOffset);
        }

        if (Volatile.Read(ref record.Armed) != 0)
        {
            // Full fence (Dekker with the doorbell waiter's count): the bit is visible before the count is read.
            Interlocked.Or(ref ReadyDevices, deviceBit);
            if (Volatile.Read(ref DoorbellWaiters) > 0)
            {
                Bump(DoorbellOffset);
            }
        }
    }

    /// <summary>Bumps the futex word at <paramref name="offset"/> and wakes its sleepers.</summary>
    public void Bump(long offset)
    {
        // Full fence: the event (an earlier store) is published before the word changes.
        Interlocked.Increment(ref Region.Int32(offset));
        Futex.WakeAll(Region.Int32Pointer(offset));
    }

    /// <summary>
    /// Leaves a waiter count. Below zero it was forged: left as it is, the count would keep the peer from ever waking
    /// this side again (every command would wait out a liveness interval), so it is taken for corruption.
    /// </summary>
    public static void LeaveWaiters(ref int waiters)
    {
        if (Interlocked.Decrement(ref waiters) < 0)
        {
            throw new CorruptSegmentException("A waiter count went below zero.");
        }
    }

    /// <summary>Sleeps on the futex word at <paramref name="offset"/> while it still holds <paramref name="observed"/>.</summary>
    public void WaitOn(long offset, int observed, int timeoutMs) => Futex.Wait(Region.Int32Pointer(offset), observed, timeoutMs);

    /// <summary>
    /// Whether a waiter that just woke should probe the peer's liveness lock now. A wait that sleeps a whole slice
    /// always finds a probe due, so a dead peer is still noticed within <see cref="WaitPolicy.LivenessIntervalMs"/>;
    /// a side woken for every command (the live peer woke it) probes at most every
    /// <see cref="WaitPolicy.LivenessProbeSpacingMs"/> instead of paying a system call per command.
    /// </summary>
    public bool IsLivenessProbeDue()
    {
        long now = System.Diagnostics.Stopwatch.GetTimestamp();

        // Racy on purpose between the threads of this process: an extra or a skipped probe is harmless.
        if (now < Volatile.Read(ref _nextLivenessProbe))
        {
            return false;
        }

        Volatile.Write(ref _nextLivenessProbe, now + (System.Diagnostics.Stopwatch.Frequency * WaitPolicy.LivenessProbeSpacingMs / 1000));
        return true;
    }

    /// <summary>
    /// Whether the process holding <paramref name="lockByte"/> is gone (died or closed): the kernel drops an
    /// open-file-description lock however its owner ends. The shared "closed normally" flags only say why, and a peer
    /// could forge them, so detection rests on the lock alone.
    /// </summary>
    public bool IsGone(long lockByte) => !LivenessLock.IsHeld(FileDescriptor, lockByte);

    public static string? ReadName(SharedRegion region, long lengthOffset, int maxLength)
    {
        int length = region.Int32(lengthOffset);
        if (length < 0 || length > maxLength)
        {
            return null;
        }

        return new string(MemoryMarshal.Cast<byte, char>(region.Bytes(lengthOffset + sizeof(int), length * sizeof(char))));
    }

    public static void WriteName(SharedRegion region, long lengthOffset, string name)
    {
        MemoryMarshal.AsBytes(name.AsSpan()).CopyTo(region.Bytes(lengthOffset + sizeof(int), name.Length * sizeof(char)));
        region.Int32(lengthOffset) = name.Length;
    }

    /// <summary>Removes the control file if the path still names the file this process mapped.</summary>
    public void Unlink() => _file.Unlink();

    /// <summary>Whether the set's path still names the file this process mapped (no one removed it yet).</summary>
    public bool IsStillAtPath() => FileIdentity.OfPath(Path) == _file.Identity;

    /// <summary>
    /// Removes buffer segments 0..15 of this set's name whoever made them. Only the primary calls it, while it still
    /// holds the control file: no other set can own the name then, so what is there is this set's (or a dead one's).
    /// </summary>
    public void UnlinkBufferSegmentsOfName()
    {
        for (int k = 0; k < MaxBufferSegments; k++)
        {
            Posix.Unlink(SegmentName.BufferPath(Path, k));
        }
    }

    public void Dispose() => _file.Dispose();
}
