namespace OpenVdi.Tests.Idiomatic;

/// <summary>
/// The pending asynchronous wait under a cancellation that races the doorbell waiter's look: it ends cancelled or with
/// a real answer, never with an answer nobody fetched.
/// </summary>
public class ArmedWaitTests
{
    [Fact(Timeout = 60000)]
    public async Task A_cancellation_racing_the_waiters_look_ends_the_wait_cancelled_never_with_an_empty_success()
    {
        // Found by the full suite under load: a token cancelled while the doorbell waiter held the wait (it looked and
        // found nothing) completed the wait with the default answer, which for a GetConfiguration or a GetCommand reads
        // as NOERROR: a configuration wait that timed out returned an empty configuration.
        await Task.Yield();
        var wait = new NothingYetWait();
        using var go = new Barrier(2);
        CancellationTokenSource? cts = null;
        int rounds = 200000;
        var canceller = new Thread(() =>
        {
            for (int i = 0; i < rounds; i++)
            {
                go.SignalAndWait();
                Thread.SpinWait(i % 64);
                cts!.Cancel();
                go.SignalAndWait();
            }
        });
        canceller.Start();
        int successes = 0;
        for (int i = 0; i < rounds; i++)
        {
            cts = new CancellationTokenSource();
            var pending = wait.Arm(cts.Token);
            go.SignalAndWait();

            // The waiter's looks, as the doorbell makes them, until one claims the wait (the cancellation did).
            while (!pending.IsCompleted)
            {
                if (wait.Claim())
                {
                    wait.Deliver();
                }
            }

            go.SignalAndWait();
            try
            {
                await pending;
                successes++;
            }
            catch (OperationCanceledException)
            {
            }

            cts.Dispose();
        }

        canceller.Join();
        Assert.True(successes == 0, $"{successes} of {rounds} cancelled waits ended with an answer that was never fetched.");
    }

    /// <summary>A wait whose look never finds anything: its only way to end is its cancellation.</summary>
    private sealed class NothingYetWait : ArmedWait<ConfigurationFetch>
    {
        protected override bool TryFetch(out ConfigurationFetch value)
        {
            value = new ConfigurationFetch(VdiResult.VD_E_TIMEOUT, default);
            return false;
        }

        protected override bool IsReady() => false;
    }
}
