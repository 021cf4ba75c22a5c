using System.Diagnostics;
using System.Text;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Messages;
using OpenVdi.Engine.Tests.Execution.Infrastructure;
using OpenVdi.Engine.Tests.FrontDoor.Infrastructure;

namespace OpenVdi.Engine.Tests.FrontDoor;

/// <summary>
/// A client of the daemon that sends what it should not, or nothing at all: it gets an error frame or a statement
/// error, never an internal fault or a stack trace in the log; a cancel takes effect at once, even while the engine
/// waits for the virtual device set; idle connections do not lock anyone out (issue 8, item 13).
/// </summary>
public sealed class HostileClientTests
{
    private static readonly TimeSpan s_limit = DaemonHarness.Limit;

    public static TheoryData<string, byte[]> UnreadableText => new()
    {
        { "bytes that are not UTF-8", [.. "{\"type\":\"execute\",\"statement\":\"BACKUP "u8, 0xC3, 0x28, 0xFF, .. "\"}\n"u8] },
        { "an escaped unpaired surrogate", Encoding.UTF8.GetBytes("{\"type\":\"execute\",\"statement\":\"BACKUP \\ud800 x\"}\n") },
        { "an unpaired surrogate in the frame type", Encoding.UTF8.GetBytes("{\"type\":\"exe\\udc00\"}\n") },
    };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(UnreadableText))]
    public async Task A_frame_with_text_no_string_can_hold_gets_an_error_frame_and_no_stack_trace(string what, byte[] frame)
    {
        var engine = ScriptedEngine.Sending();
        await using var harness = DaemonHarness.Start(engine);
        using var connection = await RawConnection.OpenAsync(harness.SocketPath);
        await connection.ReadAsync();

        await connection.SendBytesAsync(frame);
        var frames = await connection.ReadToEndAsync();

        var error = Assert.Single(frames);
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Contains("not valid text", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        await harness.LogLine("protocol error:");
        Assert.True(!harness.Log.Contains("   at ", StringComparison.Ordinal), $"A frame with {what} left a stack trace in the log: {harness.Log}");
        Assert.Equal(0, engine.Started);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("cancel")]
    [InlineData("disconnect")]
    public async Task A_statement_waiting_for_its_device_set_ends_at_once_on_a_cancel_or_a_disconnect(string how)
    {
        using var fixture = new EngineFixture();
        var engine = new StatementEngine(fixture.Engine.Options with { SetOpenTimeout = TimeSpan.FromSeconds(60) });
        await using var harness = DaemonHarness.Start(engine);
        var connection = await RawConnection.OpenAsync(harness.SocketPath);
        await connection.ReadAsync();

        // No client ever creates this set: the engine waits for it, as SQL Server waits for a client's set.
        await connection.SendAsync("""{"type":"execute","statement":"BACKUP DATABASE [sales] TO VIRTUAL_DEVICE = 'nobody-creates-this'"}""");
        var clock = Stopwatch.StartNew();
        if (how == "cancel")
        {
            await connection.SendAsync("""{"type":"cancel"}""");
        }
        else
        {
            connection.Dispose();
        }

        string line = await harness.LogLine("cancelled:");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"The {how} took {clock.Elapsed.TotalSeconds:0.0} s to end a statement waiting for its set: {line}");
        connection.Dispose();
    }

    [Fact(Timeout = 60_000)]
    public async Task Sixty_four_idle_connections_do_not_keep_a_statement_out()
    {
        var engine = ScriptedEngine.Sending(SqlMessages.PercentProcessed(100));
        await using var harness = DaemonHarness.Start(engine);
        var idle = new List<RawConnection>();
        try
        {
            for (int i = 0; i < 64; i++)
            {
                var connection = await RawConnection.OpenAsync(harness.SocketPath);
                idle.Add(connection);
                Assert.Equal("hello", (await connection.ReadAsync())!.Value.GetProperty("type").GetString());
            }

            var outcome = await harness.Client().ExecuteAsync("BACKUP DATABASE [d] TO VIRTUAL_DEVICE = 's'", new RecordingSink()).WaitAsync(s_limit);

            Assert.True(outcome.Succeeded);
            Assert.Equal(1, engine.Started);
        }
        finally
        {
            foreach (var connection in idle)
            {
                connection.Dispose();
            }
        }
    }
}
