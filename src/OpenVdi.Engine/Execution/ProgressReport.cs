using OpenVdi.Engine.Messages;

namespace OpenVdi.Engine.Execution;

/// <summary>STATS: message 3211 each time the work done crosses another multiple of the percentage asked for.</summary>
internal sealed class ProgressReport
{
    private readonly StatementRun _run;
    private readonly long _total;
    private readonly int _step;
    private readonly Lock _lock = new();
    private int _reported;

    public ProgressReport(StatementRun run, long total, int? stats)
    {
        _run = run;
        _total = Math.Max(1, total);
        _step = stats ?? 0;
    }

    /// <summary>Reports progress to <paramref name="done"/> units of the total; safe from several threads.</summary>
    public void Update(long done)
    {
        if (_step <= 0)
        {
            return;
        }

        int percent = (int)Math.Min(100, done * 100 / _total);
        int due = percent / _step * _step;
        // Read without the lock first: most updates cross no step. The read pairs with the write under the lock.
        if (due <= Volatile.Read(ref _reported))
        {
            return;
        }

        // Claiming a step and sending it under one lock keeps the percentages in order across device threads
        // (a claim and a send apart let another thread's later step overtake an earlier one).
        lock (_lock)
        {
            while (due > _reported)
            {
                Volatile.Write(ref _reported, _reported + _step);
                _run.Send(SqlMessages.PercentProcessed(_reported));
            }
        }
    }
}
