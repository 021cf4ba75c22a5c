using System.Runtime.ExceptionServices;
using OpenVdi.Transport;
using static OpenVdi.Transport.ControlSegmentDescriptor;

namespace OpenVdi;

/// <summary>
/// One device of a set, server side: the implementation of <see cref="IServerVirtualDevice"/>.
/// </summary>
/// <remarks>
/// The server owns <c>head</c>: it fills the slot of sequence <c>head</c> (which must be Free), stores Queued, then
/// advances head. <c>_pending[slot]</c> holds the caller's command while it is outstanding; whoever takes it out with
/// an interlocked exchange (the agent retiring a completion, an abort sweep, or a sender racing an abort) is the one
/// that runs its completion routine, so every routine runs exactly once.
/// </remarks>
public sealed class ServerVirtualDevice : IServerVirtualDevice
{
    private readonly ServerVirtualDeviceSet _set;
    private readonly ControlSegment _control;
    private readonly DeviceRecord _record;
    private readonly VdsCommand?[] _pending = new VdsCommand?[SlotsPerDevice];
    private readonly int[] _bufferOf = new int[SlotsPerDevice];
    private readonly uint[] _sequenceOf = new uint[SlotsPerDevice];
    private readonly ulong[] _digestOf = new ulong[SlotsPerDevice];
    private readonly long[] _completingSince = new long[SlotsPerDevice];
    private uint _head;
    private uint _retire;
    private int _sending;
    private int _closed;

    // Odd while a send writes the head (this process's _head, then the shared word): the audit compares the two
    // only when no send ran in between, so it never takes a send in progress for a forged head.
    private int _headEpoch;

    internal ServerVirtualDevice(ServerVirtualDeviceSet set, ControlSegment control, int index, string name)
    {
        _set = set;
        _control = control;
        Index = index;
        Name = name;
        _record = control.Device(index);

        // The words the server owns start from this process's own values, whatever a peer wrote there before.
        _record.Head.WritePlain(0);
        _record.Closed.WritePlain(0);
    }

    /// <summary>The device's name (its VIRTUAL_DEVICE clause).</summary>
    public string Name { get; }

    /// <summary>The device's position in the set.</summary>
    public int Index { get; }

    /// <summary>Whether commands sent on this device are still outstanding.</summary>
    internal bool HasPending => _retire != Volatile.Read(ref _head);

    /// <inheritdoc/>
    public VdiResult SendCommand(VdsCommand command)
    {
        if (command is null || command.CommandCode is < VdCommandCode.VDC_Read or > VdCommandCode.VDC_Complete)
        {
            return VdiResult.VD_E_INVALID;
        }

        var gate = _set.Gate;
        if (!gate.TryEnter())
        {
            return Reject(command, VdiResult.VD_E_PROTOCOL, Win32Error.ERROR_INVALID_HANDLE);
        }

        // One sender at a time: the ring has a single producer. A second concurrent sender is refused, not raced.
        if (Interlocked.Exchange(ref _sending, 1) != 0)
        {
            gate.Exit();
            return Reject(command, VdiResult.VD_E_PROTOCOL, Win32Error.ERROR_INVALID_HANDLE);
        }

        try
        {
            // A device kept from this object's previous set: its memory is gone.
            if (_set.Control != _control)
            {
                return Reject(command, VdiResult.VD_E_PROTOCOL, Win32Error.ERROR_INVALID_HANDLE);
            }

            return SendUnsynchronized(command);
        }
        catch (CorruptSegmentException)
        {
            // Only the checks made before the command is queued throw: refused, it runs its routine here, as every
            // refusal does, with the code of the abort the corruption causes.
            return Reject(command, _set.Corrupt(), Win32Error.ERROR_OPERATION_ABORTED);
        }
        finally
        {
            Volatile.Write(ref _sending, 0);
            gate.Exit();
        }
    }

    private VdiResult SendUnsynchronized(VdsCommand command)
    {
        if (_control.IsAborted)
        {
            return Reject(command, VdiResult.VD_E_ABORT, Win32Error.ERROR_OPERATION_ABORTED);
        }

        if (Volatile.Read(ref _closed) != 0 || !_set.IsSendable)
        {
            return Reject(command, VdiResult.VD_E_PROTOCOL, Win32Error.ERROR_INVALID_HANDLE);
        }

        bool isClearError = command.CommandCode == VdCommandCode.VDC_ClearError;
        if (!isClearError && DeviceState() == SharedDeviceState.IoError)
        {
            return Reject(command, VdiResult.VD_E_IO_ERROR, Win32Error.ERROR_IO_DEVICE);
        }

        uint sequence = _head;
        int index = (int)(sequence & (SlotsPerDevice - 1));
        var slot = _record.SlotAt(index);

        // Acquire: a slot the agent freed is completely retired. The ring never runs more than its length ahead of
        // the client's tail either: a command flushed and retired out of order is Free before the client passed it.
        if (slot.State.ReadAcquire() != (int)SlotState.Free || Volatile.Read(ref _pending[index]) is not null
            || sequence - (uint)_record.Tail.ReadAcquire() >= SlotsPerDevice)
        {
            return Reject(command, VdiResult.VD_E_QUEUE_FULL, Win32Error.ERROR_NO_SYSTEM_RESOURCES);
        }

        int buffer = -1;
        if (command.CommandCode is VdCommandCode.VDC_Read or VdCommandCode.VDC_Write)
        {
            buffer = _set.Allocator!.BeginTransfer(command.Buffer, command.Size, Index, sequence);
            if (buffer < 0)
            {
                return VdiResult.VD_E_INVALID;
            }
        }

        // Full fence: the audit sees the epoch odd before any of the writes below.
        Interlocked.Increment(ref _headEpoch);
        _bufferOf[index] = buffer;
        _sequenceOf[index] = sequence;
        _digestOf[index] = CommandDigest.OfCommand(sequence, (int)command.CommandCode, command.Size, command.InPosition, buffer + 1);

        // Release: the sequence above is visible to the agent once it sees the command.
        Volatile.Write(ref _pending[index], command);
        slot.Sequence.WritePlain((int)sequence);
        slot.Command.WritePlain((int)command.CommandCode);
        slot.Size.WritePlain((int)command.Size);
        slot.InPosition.WritePlain((long)command.InPosition);
        slot.Buffer.WritePlain(buffer + 1);
        slot.CompletionCode.WritePlain(0);
        slot.BytesTransferred.WritePlain(0);
        slot.OutPosition.WritePlain(0);

        // Release: the fields are visible to a client that sees Queued.
        slot.State.WriteRelease((int)SlotState.Queued);
        _head = sequence + 1;

        // Full fence (Dekker with the client's waiter count and armed flag): the client sees the new head, or we see
        // that it waits.
        _record.Head.Exchange((int)(sequence + 1));
        Volatile.Write(ref _headEpoch, _headEpoch + 1);
        _control.WakeDevice(_record, 1L << Index);

        // A client that entered IO-ERROR after our check must not be handed this command. The word is read raw: the
        // command is queued now, so a corrupt value here is left to the audit rather than thrown, which would refuse
        // a command that was in fact sent.
        if (!isClearError && _record.State.ReadAcquire() == (int)SharedDeviceState.IoError
            && slot.State.CompareExchange((int)SlotState.Completing, (int)SlotState.Queued) == (int)SlotState.Queued)
        {
            slot.CompletionCode.WritePlain((int)Win32Error.ERROR_IO_DEVICE);
            slot.State.WriteRelease((int)SlotState.Completed);
            _control.DirtyDevices.Or(1L << Index);
            _control.Bump(AgentEventOffset);
        }

        // Raced with an abort: if the abort sweep missed this command, complete it here.
        if (_control.IsAborted && TakePending(index) is { } taken)
        {
            taken.Complete(Win32Error.ERROR_OPERATION_ABORTED, 0, 0);
            return VdiResult.VD_E_ABORT;
        }

        return VdiResult.NOERROR;
    }

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

    /// <summary>A refused send: the routine runs at once on this thread with <paramref name="code"/>.</summary>
    private static VdiResult Reject(VdsCommand command, VdiResult result, uint code)
    {
        command.Complete(code, 0, 0);
        return result;
    }

    /// <summary>Takes the command of <paramref name="index"/> out; null if someone else took it.</summary>
    private VdsCommand? TakePending(int index)
    {
        var command = Interlocked.Exchange(ref _pending[index], null);
        if (command is not null && _bufferOf[index] >= 0)
        {
            _set.Allocator!.EndTransfer(_bufferOf[index]);
        }

        return command;
    }

    /// <summary>
    /// Agent: retires every completed slot between the oldest outstanding sequence and head, in any order the client
    /// completed them, and runs their routines. Returns a routine's exception, if one threw.
    /// </summary>
    internal ExceptionDispatchInfo? RetireCompleted()
    {
        ExceptionDispatchInfo? failure = null;
        uint head = Volatile.Read(ref _head);
        for (uint s = _retire; s != head; s++)
        {
            int index = (int)(s & (SlotsPerDevice - 1));
            if (!IsOutstanding(index, s))
            {
                continue;
            }

            var slot = _record.SlotAt(index);

            // Acquire: pairs with the client's release store of Completed; the completion fields are visible.
            int state = slot.State.ReadAcquire();
            if (state != (int)SlotState.Completed)
            {
                if (state is < (int)SlotState.Queued or > (int)SlotState.Completed)
                {
                    throw new CorruptSegmentException($"Outstanding slot {index} is in state {state}.");
                }

                continue;
            }

            uint code = (uint)slot.CompletionCode.ReadPlain();
            uint bytes = (uint)slot.BytesTransferred.ReadPlain();
            ulong position = (ulong)slot.OutPosition.ReadPlain();
            if (slot.Sequence.ReadPlain() != (int)s)
            {
                throw new CorruptSegmentException($"Slot {index} completed with sequence {slot.Sequence}, expected {s}.");
            }

            // Checked before the command is taken out, so the abort that follows still completes it with 995.
            if (Volatile.Read(ref _pending[index]) is { } outstanding && bytes > outstanding.Size)
            {
                throw new CorruptSegmentException($"The client reported {bytes} bytes for a {outstanding.Size}-byte command.");
            }

            // A command only succeeds once a client fetched it, and the client moves its tail past a command before
            // handing it over (acquire on the state above makes that tail visible). A success on a command the tail
            // has not passed was written by someone who never saw it: believing it would count a write nobody made.
            if (code == Win32Error.ERROR_SUCCESS && !HasTailPassed(s))
            {
                throw new CorruptSegmentException($"Command {s} completed with success but was never fetched.");
            }

            // The client's digest of the command it carried out and of its answer must be the one of the command sent
            // and the answer read: a size, buffer, code or position changed in the slot before the client fetched it,
            // or a byte count changed after it answered, would otherwise pass for a success.
            if (code == Win32Error.ERROR_SUCCESS && slot.Digest.ReadPlain() != CommandDigest.WithCompletion(_digestOf[index], code, bytes, position))
            {
                throw new CorruptSegmentException($"Command {s} was carried out as another command than the one sent.");
            }

            var command = TakePending(index);
            if (command is null)
            {
                continue;
            }

            // Release: the slot is reusable only after its results were read.
            slot.State.WriteRelease((int)SlotState.Free);
            try
            {
                command.Complete(code, bytes, position);
            }
            catch (Exception e) when (failure is null)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        }

        while (_retire != head && !IsOutstanding((int)(_retire & (SlotsPerDevice - 1)), _retire))
        {
            _retire++;
        }

        return failure;
    }

    /// <summary>Whether the client's tail has passed <paramref name="sequence"/> (within the last lap of the ring).</summary>
    private bool HasTailPassed(uint sequence) => (uint)_record.Tail.ReadAcquire() - sequence - 1 < SlotsPerDevice;

    /// <summary>
    /// The agent's periodic audit of this device (at least every liveness interval): the words this process owns
    /// still hold what it wrote, and every outstanding command's slot is in a state a live client could have left
    /// it in. Whatever a peer forged that would otherwise leave the set waiting for ever is found here.
    /// </summary>
    /// <exception cref="CorruptSegmentException">A word or slot holds what no live peer could have written.</exception>
    internal void Audit(long now, long stuckTicks)
    {
        // A seqlock over this device's sends: findings made while a send published are dropped, not believed.
        int epoch = Volatile.Read(ref _headEpoch);
        if ((epoch & 1) != 0)
        {
            return;
        }

        string? finding = AuditWords() ?? AuditSlots(now, stuckTicks);

        // Full fence: every read above happens before the epoch is read again.
        Interlocked.MemoryBarrier();
        if (finding is not null && epoch == Volatile.Read(ref _headEpoch))
        {
            throw new CorruptSegmentException(finding);
        }
    }

    private string? AuditWords()
    {
        uint head = _head;
        int shared = _record.Head.ReadAcquire();
        if ((uint)shared != head)
        {
            return $"Device {Index}'s head holds {shared}; the server published up to {head}.";
        }

        // CloseDevice sets this process's flag before the shared one: the shared flag set while this process's is
        // not was forged (the other way round is a close in progress).
        int closed = _record.Closed.ReadAcquire();
        if (closed is not (0 or 1) || (closed == 1 && Volatile.Read(ref _closed) == 0)
            || _record.Bound.ReadAcquire() != 1 || !_record.HasName(Name))
        {
            return $"Device {Index}'s closed flag, binding or name is not what the server wrote.";
        }

        // The client's word, but only ever Active or IO-ERROR: anything else found while the server waits is forged.
        int state = _record.State.ReadAcquire();
        if (state is not ((int)SharedDeviceState.Active or (int)SharedDeviceState.IoError))
        {
            return $"Device {Index}'s state word holds {state}, which is no state.";
        }

        return null;
    }

    private string? AuditSlots(long now, long stuckTicks)
    {
        string? finding = null;
        for (int index = 0; index < SlotsPerDevice; index++)
        {
            uint sequence = _sequenceOf[index];
            var slot = _record.SlotAt(index);

            // The tail before the state: a client moves its tail only after the command left Queued.
            bool passed = HasTailPassed(sequence);
            int state = slot.State.ReadAcquire();
            if (!IsOutstanding(index, sequence) || state != (int)SlotState.Completing)
            {
                _completingSince[index] = 0;
            }

            if (!IsOutstanding(index, sequence))
            {
                continue;
            }

            switch ((SlotState)state)
            {
                case SlotState.Queued when passed:
                    // The client either delivers a command or flushes it before its tail moves past it.
                    finding ??= $"Command {sequence} on device {Index} is still queued behind the client's tail.";
                    break;
                case SlotState.Completing when _completingSince[index] == 0:
                    _completingSince[index] = now;
                    break;
                case SlotState.Completing when now - _completingSince[index] > stuckTicks:
                    // A completer holds a slot in Completing for a few instructions; one stuck there was forged.
                    finding ??= $"Command {sequence} on device {Index} has been completing for over a second.";
                    break;
                case SlotState.Queued or SlotState.Delivered or SlotState.Completing or SlotState.Completed:
                    break;
                default:
                    finding ??= $"Outstanding command {sequence} on device {Index} is in slot state {state}.";
                    break;
            }
        }

        return finding;
    }

    /// <summary>
    /// Whether sequence <paramref name="sequence"/> still waits in slot <paramref name="index"/>. The slot may hold a
    /// command a lap later instead: when the agent sees completions out of order (a client completing in order
    /// can still be read mid-way), it retires later sequences first, and a routine may reuse their slots at once,
    /// so the range from the oldest outstanding sequence to head can span more than one lap. The sequence is this
    /// process's own record, not the slot's, which a peer could forge.
    /// </summary>
    private bool IsOutstanding(int index, uint sequence) =>
        Volatile.Read(ref _pending[index]) is not null && _sequenceOf[index] == sequence;

    /// <summary>Abort: completes every outstanding command with ERROR_OPERATION_ABORTED.</summary>
    internal ExceptionDispatchInfo? CompleteAllAborted()
    {
        ExceptionDispatchInfo? failure = null;
        for (int i = 0; i < SlotsPerDevice; i++)
        {
            if (TakePending(i) is { } command)
            {
                try
                {
                    command.Complete(Win32Error.ERROR_OPERATION_ABORTED, 0, 0);
                }
                catch (Exception e) when (failure is null)
                {
                    failure = ExceptionDispatchInfo.Capture(e);
                }
            }
        }

        _retire = Volatile.Read(ref _head);
        return failure;
    }

    /// <inheritdoc/>
    public VdiResult CloseDevice()
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

            if (_control.IsAborted)
            {
                return VdiResult.VD_E_ABORT;
            }

            if (Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return VdiResult.VD_E_CLOSE;
            }

            // Stored after the last publish, so a client seeing Closed with head == tail has everything; full fence
            // before the client's waiters are looked at.
            _record.Closed.Exchange(1);
            _control.Bump(_record.WakeOffset);
            _control.WakeDevice(_record, 1L << Index);
            _set.OnDeviceClosed();
            return VdiResult.NOERROR;
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
}
