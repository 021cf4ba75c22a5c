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
        Until(() => client.Control!.Device(device).Waiters.ReadAcquire() > 0, $"a GetCommand is waiting on device {device}");

    /// <summary>Waits until a client call (GetConfiguration, or OpenDevice waiting for a name) is asleep on the set's event.</summary>
    public static void UntilBlockedOnSetEvent(ClientVirtualDeviceSet client) =>
        Until(() => client.Control!.ConfigWaiters.ReadAcquire() > 0, "a client call is waiting on the set's configuration event");
}
