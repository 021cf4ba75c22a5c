namespace OpenVdi.Tests.Streaming;

/// <summary>The count a streaming device thread waits on: every release is taken once, and a waiter is woken.</summary>
public sealed class CompletionSignalTests
{
    [Fact]
    public void Releases_made_before_the_wait_are_taken_at_once_one_each()
    {
        var signal = new CompletionSignal();
        signal.Release();
        signal.Release();

        Assert.True(signal.Wait(TimeSpan.Zero));
        Assert.True(signal.Wait(TimeSpan.Zero));
        Assert.False(signal.Wait(TimeSpan.Zero));
    }

    [Fact(Timeout = 20000)]
    public async Task A_sleeping_waiter_is_woken_by_each_release_from_another_thread()
    {
        var signal = new CompletionSignal();
        const int count = 10_000;
        var waiter = Task.Factory.StartNew(
            () =>
            {
                for (int i = 0; i < count; i++)
                {
                    // Infinite: only the releases can end these waits.
                    signal.Wait();
                }
            },
            TaskCreationOptions.LongRunning);

        for (int i = 0; i < count; i++)
        {
            signal.Release();
        }

        await waiter.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.False(signal.Wait(TimeSpan.Zero), "Every release was taken exactly once.");
    }

    [Fact(Timeout = 20000)]
    public async Task A_finite_wait_with_nothing_released_answers_false()
    {
        await Task.Yield();
        var signal = new CompletionSignal();
        Assert.False(signal.Wait(TimeSpan.FromMilliseconds(20)));
        signal.Release();
        Assert.True(signal.Wait(TimeSpan.FromMilliseconds(20)));
    }
}
