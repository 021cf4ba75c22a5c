using System.Diagnostics;

namespace OpenVdi.Tests.Infrastructure;

/// <summary>
/// Bounded waits for the behaviour tests: every wait names what it waited for, so a test that would hang fails with
/// a reason instead. Nothing here sleeps to order events: each wait is on the thing itself (a task, a counter the
/// transport publishes in shared memory).
/// </summary>
public static class Waits
{
    /// <summary>How long a test waits for something that should happen at once (generous for a loaded 2-vCPU VM).</summary>
    public const int Prompt = 5000;

    /// <summary>Runs a blocking VDI call on a thread of its own, so the test thread can act while it waits.</summary>
    public static Task<T> OnOwnThread<T>(Func<T> call) =>
        Task.Factory.StartNew(call, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>The task's result; fails the test with <paramref name="what"/> if it has not finished within <paramref name="timeoutMs"/>.</summary>
    public static async Task<T> Within<T>(this Task<T> task, string what, int timeoutMs = Prompt)
    {
        if (await Task.WhenAny(task, Task.Delay(timeoutMs)) != task)
        {
            Assert.Fail($"{what} did not return within {timeoutMs} ms.");
        }

        return await task;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test with <paramref name="what"/> after <paramref name="timeoutMs"/>.</summary>
    public static void Until(Func<bool> condition, string what, int timeoutMs = Prompt)
    {
        var clock = Stopwatch.StartNew();
        var spinner = default(SpinWait);
        while (!condition())
        {
            Assert.True(clock.ElapsedMilliseconds < timeoutMs, $"Timed out after {timeoutMs} ms waiting until {what}.");
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>
    /// Lets <paramref name="ms"/> milliseconds pass. Only for tests whose subject is elapsed time (serverTimeOut): it
    /// orders no events; every event a test depends on is waited for on the thing itself.
    /// </summary>
    public static void Pace(int ms) => Thread.Sleep(ms);

    /// <summary>Waits until a GetCommand on client device <paramref name="device"/> is asleep in the transport's wait.</summary>
    public static void UntilBlockedInGetCommand(ClientVirtualDeviceSet client, int device) =>
        Until(() => Volatile.Read(ref client.Control!.Device(device).Waiters) > 0, $"a GetCommand is waiting on device {device}");

    /// <summary>Waits until a client call (GetConfiguration, or OpenDevice waiting for a name) is asleep on the set's event.</summary>
    public static void UntilBlockedOnSetEvent(ClientVirtualDeviceSet client) =>
        Until(() => Volatile.Read(ref client.Control!.ConfigWaiters) > 0, "a client call is waiting on the set's configuration event");
}

/// <summary>One run of a server command's completion routine: the outputs as they were when it ran, its thread, and when (Stopwatch ticks).</summary>
public sealed record Completion(VdsCommand Command, uint Code, uint Bytes, ulong Position, int ThreadId, long Timestamp);

/// <summary>
/// Server commands whose completion routines record every run (outputs, thread) in order, so tests can check what
/// ran, how often, with which code and on which thread.
/// </summary>
public sealed class CompletionLog
{
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
    public Completion[] WaitFor(int count, int timeoutMs = Waits.Prompt)
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
    public Completion WaitFor(VdsCommand command, int timeoutMs = Waits.Prompt)
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
