using System.Diagnostics;
using OpenVdi.Transport;
using static OpenVdi.Transport.ControlSegmentDescriptor;

namespace OpenVdi;

public sealed partial class ClientVirtualDevice
{
    /// <summary>How long a slot may show Delivered while this process holds no command for it: a completer is between its two steps for microseconds.</summary>
    private static readonly long s_orphanTicks = Stopwatch.Frequency;

    private static readonly long s_auditIntervalTicks = Stopwatch.Frequency * WaitPolicy.LivenessIntervalMs / 1000;

    private readonly long[] _orphanedSince = new long[SlotsPerDevice];
    private long _nextAudit;

    /// <summary>
    /// The waiting client's audit of its own ring (at most every liveness interval, from its waits): a slot that shows
    /// Delivered while this process holds no command for it (it completed it, or never fetched it) for longer than a
    /// completer takes. The server would wait for ever for a completion already made, and the client for a command the
    /// server will not send until then: only this side can tell, since only it knows what it holds.
    /// </summary>
    /// <exception cref="CorruptSegmentException">A slot was forged to Delivered.</exception>
    internal void AuditDelivered()
    {
        long now = Stopwatch.GetTimestamp();
        if (now < Volatile.Read(ref _nextAudit))
        {
            return;
        }

        Volatile.Write(ref _nextAudit, now + s_auditIntervalTicks);

        // Under the fetch lock: a fetch marks the slot Delivered a moment before the command it hands over is live.
        lock (_fetchLock)
        {
            for (int i = 0; i < SlotsPerDevice; i++)
            {
                if (_record.SlotAt(i).State.ReadAcquire() != (int)SlotState.Delivered || _commands[i].IsOutstanding)
                {
                    _orphanedSince[i] = 0;
                }
                else if (_orphanedSince[i] == 0)
                {
                    _orphanedSince[i] = now;
                }
                else if (now - _orphanedSince[i] > s_orphanTicks)
                {
                    throw new CorruptSegmentException($"Slot {i} of device {Index} shows a command delivered that this process does not hold.");
                }
            }
        }
    }
}
