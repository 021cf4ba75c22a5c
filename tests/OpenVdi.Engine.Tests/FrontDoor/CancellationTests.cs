using OpenVdi.Engine.FrontDoor;
using OpenVdi.Engine.Tests.FrontDoor.Infrastructure;

namespace OpenVdi.Engine.Tests.FrontDoor;

/// <summary>A statement ends when its client cancels it, disconnects, or the daemon stops.</summary>
public sealed class CancellationTests
{
    private static readonly TimeSpan s_limit = DaemonHarness.Limit;

    [Fact(Timeout = 30_000)]
    public async Task Cancelling_the_token_cancels_the_statement_in_the_daemon()
    {
        var engine = ScriptedEngine.WaitingForCancellation();
        await using var harness = DaemonHarness.Start(engine);
        using var cancel = new CancellationTokenSource();
        var sink = new RecordingSink();

        var running = harness.Client().ExecuteAsync("BACKUP …", sink, cancel.Token);
        await sink.Received(1).WaitAsync(s_limit);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(s_limit));
        var cancelled = await engine.FirstCancelled.WaitAsync(s_limit);
        Assert.True(cancelled.CancellationToken.IsCancellationRequested);
        await harness.LogLine("cancelled: the client cancelled it");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_client_that_disconnects_mid_statement_cancels_it()
    {
        var engine = ScriptedEngine.WaitingForCancellation();
        await using var harness = DaemonHarness.Start(engine);
        using (var connection = await RawConnection.OpenAsync(harness.SocketPath))
        {
            Assert.Equal("hello", (await connection.ReadAsync())!.Value.GetProperty("type").GetString());
            await connection.SendAsync("""{"type":"execute","statement":"BACKUP DATABASE [d] TO VIRTUAL_DEVICE = 's'"}""");
            Assert.Equal("message", (await connection.ReadAsync())!.Value.GetProperty("type").GetString());
        }

        var cancelled = await engine.FirstCancelled.WaitAsync(s_limit);

        Assert.True(cancelled.CancellationToken.IsCancellationRequested);
        await harness.LogLine("cancelled: the client disconnected");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_cancel_frame_ends_in_a_cancelled_done_frame()
    {
        var engine = ScriptedEngine.WaitingForCancellation();
        await using var harness = DaemonHarness.Start(engine);
        using var connection = await RawConnection.OpenAsync(harness.SocketPath);
        await connection.ReadAsync();
        await connection.SendAsync("""{"type":"execute","statement":"BACKUP"}""");
        await connection.ReadAsync();

        await connection.SendAsync("""{"type":"cancel"}""");
        var frames = await connection.ReadToEndAsync();

        var done = Assert.Single(frames);
        Assert.Equal("done", done.GetProperty("type").GetString());
        Assert.False(done.GetProperty("succeeded").GetBoolean());
        Assert.True(done.GetProperty("cancelled").GetBoolean());
    }

    [Fact(Timeout = 30_000)]
    public async Task Stopping_the_daemon_cancels_running_statements_and_removes_the_socket()
    {
        var engine = ScriptedEngine.WaitingForCancellation();
        var harness = DaemonHarness.Start(engine);
        try
        {
            var sink = new RecordingSink();
            var running = harness.Client().ExecuteAsync("BACKUP …", sink);
            await sink.Received(1).WaitAsync(s_limit);

            await harness.Daemon.StopAsync().WaitAsync(s_limit);

            var e = await Assert.ThrowsAsync<EngineClientException>(() => running.WaitAsync(s_limit));
            Assert.Equal(EngineClientError.Stopping, e.Error);
            Assert.False(File.Exists(harness.SocketPath));
            Assert.Equal(0, harness.Daemon.ActiveConnections);
        }
        finally
        {
            await harness.DisposeAsync();
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task RunAsync_serves_until_its_token_is_cancelled()
    {
        var engine = ScriptedEngine.Sending();
        var directory = Directory.CreateTempSubdirectory("ovdi-fd-");
        try
        {
            var daemon = new EngineDaemon(engine, new EngineDaemonOptions { SocketPath = Path.Combine(directory.FullName, "e.sock") });
            using var stop = new CancellationTokenSource();
            daemon.Start();
            var serving = daemon.RunAsync(stop.Token);

            var outcome = await new EngineClient(daemon.SocketPath).ExecuteAsync("BACKUP …").WaitAsync(s_limit);
            await stop.CancelAsync();
            await serving.WaitAsync(s_limit);

            Assert.True(outcome.Succeeded);
            Assert.False(File.Exists(daemon.SocketPath));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
