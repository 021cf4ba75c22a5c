using System.Diagnostics;

using OpenVdi;
using Xunit;

namespace OpenVdi.Testing;

/// <summary>One run of a server command's completion routine: the outputs as they were when it ran, its thread, and when (Stopwatch ticks).</summary>
public sealed record Completion(VdsCommand Command, uint Code, uint Bytes, ulong Position, int ThreadId, long Timestamp);

/// <summary>
/// Server commands whose completion routines record every run (outputs, thread) in order, so tests can check what
/// ran, how often, with which code and on which thread.
/// </summary>
public sealed class CompletionLog
{
    /// <summary>How long a wait for routines lasts unless told: generous for a loaded 2-vCPU VM.</summary>
    public const int DefaultTimeoutMs = 5000;

    private readonly List<Completion> _runs = [];

    /// <summary>A command whose routine records into this log.</summary>
    public VdsCommand Command(VdCommandCode code, uint size = 0, nint buffer = 0, ulong position = 0, object? context = null) => new()
    {
        CommandCode = code,
        Size = size,
        Buffer = buffer,
        InPosition = position,
        CompletionContext = context,
        CompletionRoutine = Record,
    };

    /// <summary>The runs so far, oldest first.</summary>
    public Completion[] Runs
    {
        get
        {
            lock (_runs)
            {
                return [.. _runs];
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_runs)
            {
                return _runs.Count;
            }
        }
    }

    /// <summary>The routine runs of <paramref name="command"/> so far.</summary>
    public Completion[] Of(VdsCommand command) => Runs.Where(r => ReferenceEquals(r.Command, command)).ToArray();

    /// <summary>Waits until at least <paramref name="count"/> routines ran; returns the runs.</summary>
    public Completion[] WaitFor(int count, int timeoutMs = DefaultTimeoutMs)
    {
        var deadline = Stopwatch.StartNew();
        lock (_runs)
        {
            while (_runs.Count < count)
            {
                long left = timeoutMs - deadline.ElapsedMilliseconds;
                Assert.True(left > 0, $"Only {_runs.Count} of {count} completion routines ran within {timeoutMs} ms.");
                Monitor.Wait(_runs, (int)left);
            }

            return [.. _runs];
        }
    }

    /// <summary>Waits until the routine of <paramref name="command"/> ran; returns that run (failing if it ran twice).</summary>
    public Completion WaitFor(VdsCommand command, int timeoutMs = DefaultTimeoutMs)
    {
        var deadline = Stopwatch.StartNew();
        lock (_runs)
        {
            while (!_runs.Exists(r => ReferenceEquals(r.Command, command)))
            {
                long left = timeoutMs - deadline.ElapsedMilliseconds;
                Assert.True(left > 0, $"The completion routine of {command.CommandCode} did not run within {timeoutMs} ms.");
                Monitor.Wait(_runs, (int)left);
            }

            return Assert.Single(_runs, r => ReferenceEquals(r.Command, command));
        }
    }

    private void Record(VdsCommand command)
    {
        lock (_runs)
        {
            _runs.Add(new Completion(command, command.CompletionCode, command.BytesTransferred, command.OutPosition, Environment.CurrentManagedThreadId, Stopwatch.GetTimestamp()));
            Monitor.PulseAll(_runs);
        }
    }
}
