using OpenVdi.Engine.Messages;

namespace OpenVdi.Engine.Execution;

/// <summary>STATS: message 3211 each time the work done crosses another multiple of the percentage asked for.</summary>
internal sealed class ProgressReport
{
    private readonly StatementRun _run;
    private readonly long _total;
    private readonly int _step;
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
        int reported = Volatile.Read(ref _reported);
        while (due > reported)
        {
            // One thread wins each step, so every percentage is reported once and in order.
            if (Interlocked.CompareExchange(ref _reported, reported + _step, reported) == reported)
            {
                _run.Send(SqlMessages.PercentProcessed(reported + _step));
            }

            reported = Volatile.Read(ref _reported);
        }
    }
}
