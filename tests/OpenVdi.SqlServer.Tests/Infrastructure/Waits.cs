using System.Globalization;
using System.Runtime.InteropServices;

namespace OpenVdi.SqlServer.Tests.Infrastructure;

/// <summary>
/// Bounded waits: each names what it waited for, so a test that would hang fails with a reason. Nothing sleeps to
/// order events: a wait is on the thing itself (a task, a thread's state in /proc).
/// </summary>
public static partial class Waits
{
    /// <summary>How long a test waits for something that should happen at once (generous for a loaded 2-vCPU VM).</summary>
    public const int Prompt = 5000;

    /// <summary>The Linux system call a thread asleep in a VDI wait is in: both libraries wait on futexes.</summary>
    private const int FutexSyscall = 202;

    /// <summary>The task's result; fails the test with <paramref name="what"/> if it has not finished within <paramref name="timeoutMs"/>.</summary>
    public static async Task<T> Within<T>(this Task<T> task, string what, int timeoutMs = Prompt)
    {
        if (await Task.WhenAny(task, Task.Delay(timeoutMs)) != task)
        {
            Assert.Fail($"{what} did not return within {timeoutMs} ms.");
        }

        return await task;
    }

    /// <summary>
    /// Runs the blocking call <paramref name="call"/> on a thread of its own, and returns once that thread is asleep in
    /// a futex wait inside it (read from /proc/self/task/&lt;tid&gt;/syscall): the call waits, whatever the library.
    /// </summary>
    public static Task<T> Asleep<T>(Func<T> call, string what)
    {
        int tid = 0;
        var started = new ManualResetEventSlim();
        var task = Task.Factory.StartNew(
            () =>
            {
                Volatile.Write(ref tid, GetTid());
                started.Set();
                return call();
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        Assert.True(started.Wait(Prompt), $"The thread for {what} did not start.");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!IsInFutexWait(tid))
        {
            Assert.False(task.IsCompleted, $"{what} returned ({(task.IsCompletedSuccessfully ? task.Result : "failed")}) instead of waiting.");
            Assert.True(clock.ElapsedMilliseconds < Prompt, $"{what} did not go to sleep within {Prompt} ms.");
            Thread.Yield();
        }

        return task;
    }

    private static bool IsInFutexWait(int tid)
    {
        try
        {
            string syscall = File.ReadAllText($"/proc/self/task/{tid}/syscall");
            int end = syscall.IndexOf(' ', StringComparison.Ordinal);
            return end > 0 && int.Parse(syscall.AsSpan(0, end), CultureInfo.InvariantCulture) == FutexSyscall;
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            // "running" instead of a number while the thread is on a CPU.
            return false;
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "gettid")]
    private static partial int GetTid();
}
