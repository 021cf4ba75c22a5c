using OpenVdi.Engine.FrontDoor;
using OpenVdi.Engine.Messages;
using OpenVdi.Engine.Tests.FrontDoor.Infrastructure;

namespace OpenVdi.Engine.Tests.FrontDoor;

/// <summary>The daemon runs the statements of several clients at once.</summary>
public sealed class ConcurrencyTests
{
    private static readonly TimeSpan s_limit = DaemonHarness.Limit;

    [Fact(Timeout = 30_000)]
    public async Task Eight_clients_run_their_statements_at_the_same_time()
    {
        const int clients = 8;

        // Every statement waits until all eight have started: they can only finish if they run together.
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int started = 0;
        var engine = new ScriptedEngine(async run =>
        {
            if (Interlocked.Increment(ref started) == clients)
            {
                allStarted.TrySetResult();
            }

            await allStarted.Task.WaitAsync(s_limit);
            run.Send(SqlMessages.BackupSetValid(int.Parse(run.Statement, System.Globalization.CultureInfo.InvariantCulture)));
            return run.Outcome();
        });
        await using var harness = DaemonHarness.Start(engine);

        var outcomes = await Task.WhenAll(Enumerable.Range(1, clients)
            .Select(i => harness.Client().ExecuteAsync(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))).WaitAsync(s_limit);

        for (int i = 0; i < clients; i++)
        {
            Assert.True(outcomes[i].Succeeded);
            Assert.Equal($"The backup set on file {i + 1} is valid.", Assert.Single(outcomes[i].Messages).Text);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_client_beyond_the_statement_limit_is_told_the_engine_is_busy()
    {
        var engine = ScriptedEngine.WaitingForCancellation();
        await using var harness = DaemonHarness.Start(engine, options => options with { MaxConcurrentStatements = 1 });
        using var cancel = new CancellationTokenSource();
        var sink = new RecordingSink();
        var first = harness.Client().ExecuteAsync("BACKUP …", sink, cancel.Token);
        await sink.Received(1).WaitAsync(s_limit);

        var e = await Assert.ThrowsAsync<EngineClientException>(() => harness.Client().ExecuteAsync("BACKUP …").WaitAsync(s_limit));

        Assert.Equal(EngineClientError.Busy, e.Error);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(s_limit));
    }
}
