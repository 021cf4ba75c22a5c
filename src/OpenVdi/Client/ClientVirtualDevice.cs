using System.Diagnostics;
using OpenVdi.Transport;
using static OpenVdi.Transport.ControlSegmentDescriptor;

namespace OpenVdi;

/// <summary>
/// One device of a set, client side: the implementation of <see cref="IClientVirtualDevice"/>.
/// </summary>
/// <remarks>
/// The device's ring: the server publishes command <c>s</c> in slot <c>s mod SlotsPerDevice</c> and advances
/// <c>head</c>; this side delivers in order from <c>tail</c>. A slot goes Queued → Delivered → Completing →
/// Completed, each step a compare-and-swap, so a command is delivered or flushed once and completed once. In
/// IO-ERROR, queued commands other than ClearError are completed here with ERROR_IO_DEVICE without being
/// delivered, and a ClearError waits until every delivered command is completed.
/// </remarks>
public sealed partial class ClientVirtualDevice : IClientVirtualDevice
{
    private readonly ClientVirtualDeviceSet _set;
    private readonly ControlSegment _control;
    private readonly DeviceRecord _record;
    private readonly long _dirtyBit;
    private readonly SharedMemoryCommand[] _commands;

    // One fetch at a time: a fetch owns the private tail (a second one would find the slot it delivered).
    private readonly Lock _fetchLock = new();
    private readonly CommandWait _wait;
    private uint _tail;
    private int _ended;

    internal ClientVirtualDevice(ClientVirtualDeviceSet set, ControlSegment control, int index, string name)
    {
        _set = set;
        _control = control;
        Index = index;
        Name = name;
        _record = control.Device(index);
        _dirtyBit = 1L << index;
        _commands = new SharedMemoryCommand[SlotsPerDevice];
        for (int i = 0; i < _commands.Length; i++)
        {
            _commands[i] = new SharedMemoryCommand(this, i);
        }

        // The device's tail is this process's own from now on: it starts at the set's first command, whatever a
        // peer wrote there.
        _tail = 0;
        _record.Tail.WriteRelease(0);
        _wait = new CommandWait(this);
        set.Doorbell!.Add(index, _wait);
    }

    /// <summary>The device's name.</summary>
    public string Name { get; }

    /// <summary>The device's position in the set (0 is the device named after the set).</summary>
    public int Index { get; }

    /// <summary>Whether GetCommand has returned VD_E_CLOSE: the device's normal end.</summary>
    public bool HasEnded => Volatile.Read(ref _ended) != 0;

    /// <inheritdoc/>
    public VdiResult GetCommand(uint timeoutMs, out VdcCommand? command)
    {
        command = null;
        var gate = _set.Gate;
        if (!gate.TryEnter())
        {
            return VdiResult.VD_E_PROTOCOL;
        }

        try
        {
            if (_set.Control != _control)
            {
                return VdiResult.VD_E_PROTOCOL;
            }

            var deadline = new Deadline(timeoutMs);

            // A poll (timeout 0) answers at once; a real wait spins once before it first sleeps (a thread per device).
            bool spin = timeoutMs != 0;
            while (true)
            {
                int observed = _record.Wake.ReadAcquire();
                VdiResult result;
                lock (_fetchLock)
                {
                    result = TryTake(out command);
                }

                if (result != VdiResult.VD_E_TIMEOUT)
                {
                    return result;
                }

                if (spin)
                {
                    spin = false;
                    if (WaitPolicy.SpinUntil(_control.DeviceCount, this, static device => device.HasWork() || device._set.Gate.IsClosed))
                    {
                        continue;
                    }
                }

                int slice = deadline.RemainingMs(WaitPolicy.LivenessIntervalMs);
                if (slice == 0)
                {
                    return VdiResult.VD_E_TIMEOUT;
                }

                // Count as a waiter, then look again: a server that published before seeing the count needs no wake.
                _record.Waiters.Increment();
                if (!HasWork() && !gate.IsClosed)
                {
                    _control.WaitOn(_record.WakeOffset, observed, slice);
                }

                ControlSegment.LeaveWaiters(_record.Waiters);
                if (_control.IsLivenessProbeDue())
                {
                    ClientVirtualDeviceSet.ProbeServer(_control);
                }

                AuditDelivered();
            }
        }
        catch (CorruptSegmentException)
        {
            return _set.Corrupt();
        }
        finally
        {
            gate.Exit();
        }
    }

    /// <summary>
    /// GetCommand without a thread: answers at once when a command (or the end, or an abort) is there; otherwise the
    /// device's wait is armed, and the set's doorbell waiter completes it when the server publishes. A cancelled
    /// token ends the wait at once with <see cref="OperationCanceledException"/>. One wait per device at a time.
    /// </summary>
    internal ValueTask<CommandFetch> GetCommandAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<CommandFetch>(cancellationToken);
        }

        var gate = _set.Gate;
        if (!gate.TryEnter())
        {
            return new ValueTask<CommandFetch>(new CommandFetch(VdiResult.VD_E_PROTOCOL, null));
        }

        try
        {
            if (_set.Control != _control)
            {
                return new ValueTask<CommandFetch>(new CommandFetch(VdiResult.VD_E_PROTOCOL, null));
            }

            var fetch = TryFetch();
            if (fetch.Result != VdiResult.VD_E_TIMEOUT)
            {
                return new ValueTask<CommandFetch>(fetch);
            }

            // Arm, then look again (Dekker with SendCommand, which publishes the head before it reads the flag): a
            // command published in between is taken here, with no hop through the doorbell's thread.
            var pending = _wait.Arm(cancellationToken);
            _record.Armed.Exchange(1);
            if (HasWork() && _wait.Claim())
            {
                // Nobody awaits the task yet: delivering only completes it.
                _wait.Deliver();
                return pending;
            }

            _set.Doorbell!.Armed();
            return pending;
        }
        finally
        {
            gate.Exit();
        }
    }

    /// <summary>One non-blocking look at the ring, for the doorbell's waiter and GetCommandAsync (the caller holds the gate).</summary>
    internal CommandFetch TryFetch()
    {
        try
        {
            lock (_fetchLock)
            {
                var result = TryTake(out var command);
                return new CommandFetch(result, command);
            }
        }
        catch (CorruptSegmentException)
        {
            return new CommandFetch(_set.Corrupt(), null);
        }
    }

    /// <summary>The asynchronous wait is no longer armed: the server stops ringing the doorbell for this device.</summary>
    internal void Disarm() => _record.Armed.WriteRelease(0);

    /// <summary>
    /// Whether a wait would end now: an abort, a close, or a command at the tail that can be handed over. A ClearError
    /// held back behind outstanding commands is not work: the waiter sleeps until the last of them completes.
    /// </summary>
    internal bool HasWork()
    {
        if (_control.IsAborted || _record.Closed.ReadAcquire() != 0)
        {
            return true;
        }

        if ((uint)_record.Head.ReadAcquire() == _tail)
        {
            return false;
        }

        var slot = _record.Slot(_tail);
        return !(slot.Command.ReadPlain() == (int)VdCommandCode.VDC_ClearError
            && DeviceState() == SharedDeviceState.IoError
            && HasFetchedUncompleted());
    }

    /// <summary>
    /// Whether some command fetched from this device is not completed yet: a slot Delivered or being completed. Read
    /// from the slots themselves rather than kept as a shared count, which a peer could set to anything; only the
    /// error path asks (ClearError waits for this), so the scan of the ring costs nothing on the hot path.
    /// </summary>
    private bool HasFetchedUncompleted()
    {
        for (int i = 0; i < SlotsPerDevice; i++)
        {
            int state = _record.SlotAt(i).State.ReadAcquire();
            if (state is (int)SlotState.Delivered or (int)SlotState.Completing)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The device state word, checked: anything but Active or IO-ERROR is a corrupt segment.</summary>
    private SharedDeviceState DeviceState()
    {
        int state = _record.State.ReadAcquire();
        return state switch
        {
            (int)SharedDeviceState.Active => SharedDeviceState.Active,
            (int)SharedDeviceState.IoError => SharedDeviceState.IoError,
            _ => throw new CorruptSegmentException($"Device state {state} is not a state."),
        };
    }

    /// <summary>One non-blocking attempt; VD_E_TIMEOUT means nothing to deliver yet.</summary>
    private VdiResult TryTake(out VdcCommand? command)
    {
        command = null;
        while (true)
        {
            if (_control.IsAborted || _set.Gate.IsClosed)
            {
                return VdiResult.VD_E_ABORT;
            }

            if (HasEnded)
            {
                return VdiResult.VD_E_CLOSE;
            }

            uint tail = _tail;

            // Acquire: the slot's fields, written before head moved, are visible.
            uint head = (uint)_record.Head.ReadAcquire();
            if (head - tail > SlotsPerDevice)
            {
                throw new CorruptSegmentException("Device head runs more than a ring ahead of the tail.");
            }

            if (head == tail)
            {
                // Closed is stored after the last publish: closed with nothing left means the device's end.
                if (_record.Closed.ReadAcquire() != 0 && (uint)_record.Head.ReadAcquire() == tail)
                {
                    Volatile.Write(ref _ended, 1);
                    return VdiResult.VD_E_CLOSE;
                }

                return VdiResult.VD_E_TIMEOUT;
            }

            var slot = _record.Slot(tail);
            int state = slot.State.ReadAcquire();
            if (slot.Sequence.ReadPlain() != (int)tail || state is not ((int)SlotState.Free or (int)SlotState.Queued or (int)SlotState.Completing or (int)SlotState.Completed))
            {
                throw new CorruptSegmentException($"Slot of sequence {tail} is not a published command.");
            }

            if (state != (int)SlotState.Queued)
            {
                // Flushed with ERROR_IO_DEVICE by an error completion, never delivered; Free once the agent retired it.
                // The server cannot have reused the slot: it never runs a ring ahead of this tail. Only an error puts
                // queued commands there, and the device stays in IO-ERROR until a ClearError that comes after them:
                // anything else was written by someone who should not have (a success there would be a write
                // counted that nobody made).
                if (DeviceState() != SharedDeviceState.IoError
                    || (state == (int)SlotState.Completed && (uint)slot.CompletionCode.ReadPlain() != Win32Error.ERROR_IO_DEVICE))
                {
                    throw new CorruptSegmentException($"Command {tail} was completed without being fetched.");
                }

                Advance(tail);
                continue;
            }

            int code = slot.Command.ReadPlain();
            if (DeviceState() == SharedDeviceState.IoError)
            {
                if (code != (int)VdCommandCode.VDC_ClearError)
                {
                    Flush(slot);
                    Advance(tail);
                    continue;
                }

                if (HasFetchedUncompleted())
                {
                    // ClearError waits until every command fetched before it is completed.
                    return VdiResult.VD_E_TIMEOUT;
                }
            }

            if (slot.State.CompareExchange((int)SlotState.Delivered, (int)SlotState.Queued) != (int)SlotState.Queued)
            {
                continue;
            }

            command = Deliver(slot, tail, code);
            Advance(tail);
            AssertInvariants();
            return VdiResult.NOERROR;
        }
    }

    private SharedMemoryCommand Deliver(CommandSlot slot, uint sequence, int code)
    {
        if (code is < (int)VdCommandCode.VDC_Read or > (int)VdCommandCode.VDC_Complete)
        {
            throw new CorruptSegmentException($"Unknown command code {code}.");
        }

        uint size = (uint)slot.Size.ReadPlain();
        int bufferIndex = slot.Buffer.ReadPlain() - 1;
        BufferAreaMap? map = null;
        if (code is (int)VdCommandCode.VDC_Read or (int)VdCommandCode.VDC_Write)
        {
            var buffers = _set.Buffers!;
            if (bufferIndex < 0 || !buffers.EnsureMapped(bufferIndex) || size > (uint)buffers.Capacity(bufferIndex))
            {
                throw new CorruptSegmentException($"Command {sequence} names no buffer that holds {size} bytes.");
            }

            // The server records in the buffer's own table entry (another segment) which command carries it; a slot
            // whose buffer index was changed would hand over another buffer's bytes. Acquire: the server wrote the
            // entry before it published the slot.
            if (buffers.EntryWord(bufferIndex, BufferAreaDescriptor.EntryStateOffset).ReadAcquire() != 1
                || buffers.EntryWord(bufferIndex, BufferAreaDescriptor.EntryInFlightDeviceOffset).ReadAcquire() != Index + 1
                || buffers.EntryWord(bufferIndex, BufferAreaDescriptor.EntryInFlightSequenceOffset).ReadAcquire() != (int)sequence)
            {
                throw new CorruptSegmentException($"Command {sequence} names buffer {bufferIndex}, which the server gave to another command.");
            }

            map = buffers;
        }

        slot.FetcherPid.WritePlain(Environment.ProcessId);
        var command = _commands[slot.Sequence.ReadPlain() & (SlotsPerDevice - 1)];
        command.Deliver(sequence, (VdCommandCode)code, size, (ulong)slot.InPosition.ReadPlain(), map, bufferIndex);
        return command;
    }

    private void Advance(uint tail)
    {
        _tail = tail + 1;
        _record.Tail.WriteRelease((int)_tail);
    }

    /// <summary>Completes a queued, undelivered command with ERROR_IO_DEVICE; false if it was taken meanwhile.</summary>
    private bool Flush(CommandSlot slot)
    {
        if (slot.State.CompareExchange((int)SlotState.Completing, (int)SlotState.Queued) != (int)SlotState.Queued)
        {
            return false;
        }

        slot.CompletionCode.WritePlain((int)Win32Error.ERROR_IO_DEVICE);
        slot.BytesTransferred.WritePlain(0);
        slot.OutPosition.WritePlain(0);
        slot.State.WriteRelease((int)SlotState.Completed);
        NotifyAgent();
        return true;
    }

    /// <inheritdoc/>
    public VdiResult CompleteCommand(VdcCommand command, uint completionCode, uint bytesTransferred, ulong position)
    {
        var gate = _set.Gate;
        if (!gate.TryEnter())
        {
            return VdiResult.VD_E_PROTOCOL;
        }

        try
        {
            if (_set.Control != _control)
            {
                return VdiResult.VD_E_PROTOCOL;
            }

            if (command is not SharedMemoryCommand ours || ours.Device != this)
            {
                return VdiResult.VD_E_INVALID;
            }

            return CompleteUnsynchronized(ours, completionCode, bytesTransferred, position);
        }
        catch (CorruptSegmentException)
        {
            return _set.Corrupt();
        }
        finally
        {
            gate.Exit();
        }
    }

    /// <summary>Completes one of this device's commands; the caller holds the gate and catches corruption.</summary>
    private VdiResult CompleteUnsynchronized(SharedMemoryCommand command, uint completionCode, uint bytesTransferred, ulong position)
    {
        if (_control.IsAborted)
        {
            // Late completions after an abort are ignored; the server already saw 995.
            command.TryBeginCompletion();
            return VdiResult.VD_E_ABORT;
        }

        if (!command.TryBeginCompletion())
        {
            // Normally terminated: nothing is left to complete (§5.2); before that, a command not outstanding.
            return HasEnded ? VdiResult.VD_E_PROTOCOL : VdiResult.VD_E_INVALID;
        }

        bool isData = command.CommandCode is VdCommandCode.VDC_Read or VdCommandCode.VDC_Write;
        if (isData && bytesTransferred > command.Size)
        {
            command.CancelCompletion();
            return VdiResult.VD_E_INVALID;
        }

        var slot = _record.Slot(command.Sequence);
        if (slot.Sequence.ReadPlain() != (int)command.Sequence
            || slot.State.CompareExchange((int)SlotState.Completing, (int)SlotState.Delivered) != (int)SlotState.Delivered)
        {
            return _control.IsAborted ? VdiResult.VD_E_ABORT : throw new CorruptSegmentException("A delivered command's slot changed under it.");
        }

        // What this side delivered and answered, from its own copies: the server checks it against what it sent
        // and what it reads back.
        uint bytes = isData ? bytesTransferred : 0;
        ulong delivered = CommandDigest.OfCommand(command.Sequence, (int)command.CommandCode, command.Size, command.Position, command.BufferIndex + 1);
        slot.Digest.WritePlain(CommandDigest.WithCompletion(delivered, completionCode, bytes, position));
        slot.CompletionCode.WritePlain((int)completionCode);
        slot.BytesTransferred.WritePlain((int)bytes);
        slot.OutPosition.WritePlain((long)position);
        if (completionCode != Win32Error.ERROR_SUCCESS)
        {
            _record.State.WriteRelease((int)SharedDeviceState.IoError);
        }
        else if (command.CommandCode == VdCommandCode.VDC_ClearError)
        {
            _record.State.WriteRelease((int)SharedDeviceState.Active);
        }

        // Release: the completion fields are visible to the agent that sees Completed.
        slot.State.WriteRelease((int)SlotState.Completed);
        if (completionCode != Win32Error.ERROR_SUCCESS)
        {
            FlushQueued();
        }

        NotifyAgent();
        if (_record.State.ReadAcquire() == (int)SharedDeviceState.IoError)
        {
            // A ClearError held back for this completion may now be delivered (the error path only).
            _control.WakeDevice(_record, _dirtyBit);
        }

        return VdiResult.NOERROR;
    }

    /// <summary>The error path: every queued command but ClearError completes with ERROR_IO_DEVICE at once.</summary>
    private void FlushQueued()
    {
        uint head = (uint)_record.Head.ReadAcquire();
        uint tail = (uint)_record.Tail.ReadAcquire();
        if (head - tail > SlotsPerDevice)
        {
            throw new CorruptSegmentException("Device head runs more than a ring ahead of the tail.");
        }

        for (uint s = tail; s != head; s++)
        {
            var slot = _record.Slot(s);
            if (slot.Sequence.ReadPlain() == (int)s && slot.Command.ReadPlain() != (int)VdCommandCode.VDC_ClearError)
            {
                Flush(slot);
            }
        }
    }

    /// <summary>Tells the server's completion agent this device has completions; wakes it only if it sleeps.</summary>
    private void NotifyAgent()
    {
        // Full fence (Dekker with the agent's waiting flag): the agent either sees the bit or is woken.
        _control.DirtyDevices.Or(_dirtyBit);
        if (_control.AgentWaiting.ReadAcquire() != 0)
        {
            _control.Bump(AgentEventOffset);
        }
    }

    /// <summary>Close: no command of this device is outstanding any more, and none may touch the unmapped buffers.</summary>
    internal void Invalidate()
    {
        foreach (var command in _commands)
        {
            command.Invalidate();
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants() =>
        Debug.Assert((uint)_record.Head.ReadAcquire() - _tail <= SlotsPerDevice, "The tail never passes the head and never falls a ring behind.");
}
