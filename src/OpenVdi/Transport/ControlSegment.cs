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
        DeviceCount = region.Int32(DeviceCountOffset).ReadPlain();
        DeviceRecordLength = region.Int32(DeviceRecordLengthOffset).ReadPlain();
        HandleTag = (uint)region.Int32(HandleTagOffset).ReadPlain();
        Incarnation = (ulong)region.Int64(IncarnationOffset).ReadPlain();
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

    public SharedInt32 SetState => Region.Int32(SetStateOffset);

    public SharedInt32 Abort => Region.Int32(AbortReasonOffset);

    public SharedInt32 ConfigEvent => Region.Int32(ConfigEventOffset);

    public SharedInt32 ConfigWaiters => Region.Int32(ConfigWaitersOffset);

    public SharedInt32 AgentEvent => Region.Int32(AgentEventOffset);

    public SharedInt32 AgentWaiting => Region.Int32(AgentWaitingOffset);

    public SharedInt64 DirtyDevices => Region.Int64(DirtyDevicesOffset);

    public SharedInt32 Doorbell => Region.Int32(DoorbellOffset);

    public SharedInt32 DoorbellWaiters => Region.Int32(DoorbellWaitersOffset);

    public SharedInt64 ReadyDevices => Region.Int64(ReadyDevicesOffset);

    public SharedInt32 PrimaryConfigured => Region.Int32(PrimaryConfiguredOffset);

    public SharedInt32 PrimaryClosed => Region.Int32(PrimaryClosedOffset);

    public SharedInt32 ServerClosed => Region.Int32(ServerClosedOffset);

    public SharedInt32 BufferSegmentCount => Region.Int32(BufferSegmentCountOffset);

    public SharedInt64 BufferSegmentLength(int index) => Region.Int64(BufferSegmentLengthsOffset + ((long)index * sizeof(long)));

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
                if (Abort.ReadAcquire() == 0)
                {
                    ReassertAbort();
                }

                return true;
            }

            int reason = Abort.ReadAcquire();
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
        region.Int64(MagicOffset).WritePlain((long)Magic);
        region.Int32(HeaderLengthOffset).WritePlain(HeaderLength);
        region.Int64(SegmentLengthOffset).WritePlain(length);
        region.Int32(DeviceCountOffset).WritePlain((int)config.DeviceCount);
        region.Int32(SlotsPerDeviceOffset).WritePlain(SlotsPerDevice);
        region.Int32(DeviceRecordLengthOffset).WritePlain(DeviceRecordLength(SlotsPerDevice));
        region.Int32(HandleTagOffset).WritePlain(RandomNumberGenerator.GetInt32(int.MinValue, int.MaxValue));
        Span<byte> incarnation = stackalloc byte[8];
        RandomNumberGenerator.Fill(incarnation);
        region.Int64(IncarnationOffset).WritePlain(MemoryMarshal.Read<long>(incarnation));
        region.Int32(PrimaryPidOffset).WritePlain(Posix.GetPid());
        region.Int32(FileModeOffset).WritePlain(mode);
        WriteConfig(region, RequestedConfigOffset, config);
        WriteName(region, SetNameLengthOffset, setName);
        WriteName(region, InstanceNameLengthOffset, instance);
        region.Int32(SetStateOffset).WritePlain((int)SharedSetState.Created);

        // Release: every field above is visible to a process that reads this version.
        region.Int32(LayoutVersionOffset).WriteRelease(LayoutVersion);
    }

    public VdConfig ReadConfig(bool negotiated) =>
        MemoryMarshal.Read<VdConfig>(Region.Bytes(negotiated ? NegotiatedConfigOffset : RequestedConfigOffset, VdConfig.Size));

    public void WriteNegotiatedConfig(in VdConfig config) => WriteConfig(Region, NegotiatedConfigOffset, config);

    private static void WriteConfig(SharedRegion region, int offset, in VdConfig config)
    {
        var copy = config;
        MemoryMarshal.Write(region.Bytes(offset, VdConfig.Size), in copy);
    }

    public SharedInt32 Pid(bool server) => Region.Int32(server ? ServerPidOffset : PrimaryPidOffset);

    public int FileMode => Region.Int32(FileModeOffset).ReadPlain() == 0x1B0 ? 0x1B0 : 0x180; // only 0660 or 0600, whatever a peer wrote

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
        int previous = Abort.CompareExchange((int)reason, 0);
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
        if (latched != 0 && Abort.CompareExchange(latched, 0) == 0)
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
        int state = SetState.ReadAcquire();
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
        SetState.WriteRelease((int)state);
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
        if (record.Waiters.ReadAcquire() > 0)
        {
            Bump(record.WakeOffset);
        }

        if (record.Armed.ReadAcquire() != 0)
        {
            // Full fence (Dekker with the doorbell waiter's count): the bit is visible before the count is read.
            ReadyDevices.Or(deviceBit);
            if (DoorbellWaiters.ReadAcquire() > 0)
            {
                Bump(DoorbellOffset);
            }
        }
    }

    /// <summary>Bumps the futex word at <paramref name="offset"/> and wakes its sleepers.</summary>
    public void Bump(long offset)
    {
        // Full fence: the event (an earlier store) is published before the word changes.
        var word = Region.Int32(offset);
        word.Increment();
        Futex.WakeAll(word.Address);
    }

    /// <summary>
    /// Leaves a waiter count. Below zero it was forged: left as it is, the count would keep the peer from ever waking
    /// this side again (every command would wait out a liveness interval), so it is taken for corruption.
    /// </summary>
    public static void LeaveWaiters(SharedInt32 waiters)
    {
        if (waiters.Decrement() < 0)
        {
            throw new CorruptSegmentException("A waiter count went below zero.");
        }
    }

    /// <summary>Sleeps on the futex word at <paramref name="offset"/> while it still holds <paramref name="observed"/>.</summary>
    public void WaitOn(long offset, int observed, int timeoutMs) => Futex.Wait(Region.Int32(offset).Address, observed, timeoutMs);

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
        int length = region.Int32(lengthOffset).ReadPlain();
        if (length < 0 || length > maxLength)
        {
            return null;
        }

        return new string(MemoryMarshal.Cast<byte, char>(region.Bytes(lengthOffset + sizeof(int), length * sizeof(char))));
    }

    public static void WriteName(SharedRegion region, long lengthOffset, string name)
    {
        MemoryMarshal.AsBytes(name.AsSpan()).CopyTo(region.Bytes(lengthOffset + sizeof(int), name.Length * sizeof(char)));
        region.Int32(lengthOffset).WritePlain(name.Length);
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
