using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Tests.Execution.Infrastructure;

namespace OpenVdi.Engine.Tests.Execution;

/// <summary>
/// A statement's buffers are shared memory the engine makes and faults in before the first byte moves: BUFFERCOUNT ×
/// MAXTRANSFERSIZE is checked against the engine's budget first, and a statement that does not fit fails with 701,
/// saying what it asked and what is allowed, before any buffer is made (issue 8, item 12).
/// </summary>
public sealed class BufferMemoryBudgetTests
{
    [Fact(Timeout = 60000)]
    public async Task BUFFERCOUNT_256_of_4_MiB_is_refused_with_701_before_any_shared_memory_is_made()
    {
        using var fixture = new EngineFixture();

        // Refused before the set is opened: 701 then 3013, nothing about a device (which opening one would add).
        var (outcome, _) = await MemoryBackupClient.BackupAsync(fixture.Engine, "sales", 1, "BUFFERCOUNT = 256, MAXTRANSFERSIZE = 4194304");

        Assert.False(outcome.Succeeded);
        Assert.Equal([701, 3013], outcome.Messages.Select(m => m.Number));
        Assert.Contains("BUFFERCOUNT 256 × MAXTRANSFERSIZE 4194304 needs 1024 MiB", outcome.Messages[0].Text, StringComparison.Ordinal);
        Assert.Contains("allows 512 MiB", outcome.Messages[0].Text, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60000)]
    public async Task The_budget_is_shared_by_the_statements_running_at_once_and_given_back_when_they_end()
    {
        using var fixture = new EngineFixture();
        var engine = new StatementEngine(fixture.Engine.Options with { BufferMemoryLimit = 24L << 20 });

        // 16 MiB fits in 24 MiB once; while one holds it, a second does not; after it, it fits again.
        var log = new ClientLog { WaitMilliseconds = 100 };
        var holding = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var first = MemoryBackupClient.BackupAsync(engine, "sales", 1, "BUFFERCOUNT = 16, MAXTRANSFERSIZE = 1048576", intercept: (device, command) =>
        {
            holding.TrySetResult();
            release.Task.Wait();
            return null;
        });
        await holding.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var (second, _) = await MemoryBackupClient.BackupAsync(engine, "sales", 1, "BUFFERCOUNT = 16, MAXTRANSFERSIZE = 1048576");
        release.SetResult();

        Assert.Equal([701, 3013], second.Messages.Select(m => m.Number));
        Assert.True((await first).Outcome.Succeeded);
        var (third, _) = await MemoryBackupClient.BackupAsync(engine, "sales", 1, "BUFFERCOUNT = 16, MAXTRANSFERSIZE = 1048576");
        Assert.True(third.Succeeded, string.Join(" | ", third.Messages.Select(m => m.Text)));
    }
}
