using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Faults;
using OpenVdi.Engine.FrontDoor;
using OpenVdi.Engine.FrontDoor.Internal;
using OpenVdi.Engine.Messages;
using OpenVdi.Engine.Tests.FrontDoor.Infrastructure;

namespace OpenVdi.Engine.Tests.FrontDoor;

/// <summary>Statements sent through a real Unix socket come back with every message and result set, in order, as they happen.</summary>
public sealed class ProtocolRoundTripTests
{
    private static readonly TimeSpan s_limit = DaemonHarness.Limit;

    [Fact(Timeout = 30_000)]
    public async Task Messages_and_the_outcome_cross_the_socket_unchanged()
    {
        var messages = new[]
        {
            SqlMessages.PercentProcessed(50),
            SqlMessages.PercentProcessed(100),
            SqlMessages.ProcessedPages(1024, "sales", "sales_data", 1),
            SqlMessages.SuccessfullyProcessed("BACKUP DATABASE", 1024, TimeSpan.FromSeconds(1.5)),
        };
        var engine = ScriptedEngine.Sending(messages);
        await using var harness = DaemonHarness.Start(engine);
        var sink = new RecordingSink();

        var outcome = await harness.Client().ExecuteAsync("BACKUP DATABASE [sales] TO VIRTUAL_DEVICE = 'set'", sink).WaitAsync(s_limit);

        Assert.True(outcome.Succeeded);
        Assert.Equal(messages, outcome.Messages);
        Assert.Equal(messages, sink.Messages);
        Assert.Empty(outcome.ResultSets);
        Assert.Equal("BACKUP DATABASE [sales] TO VIRTUAL_DEVICE = 'set'", (await engine.FirstStarted).Statement);
    }

    [Fact(Timeout = 30_000)]
    public async Task Faults_sent_with_a_statement_reach_the_engine_as_the_same_plan_and_are_logged()
    {
        var faults = FaultPlan.Parse("flush-every=1MiB,stall-after=64KiB:20ms,close-device=1@4KiB,unsupported=GetPosition");
        var engine = ScriptedEngine.Sending();
        await using var harness = DaemonHarness.Start(engine);

        var withFaults = await harness.Client().ExecuteAsync("BACKUP DATABASE [a] TO VIRTUAL_DEVICE = 's'", faults).WaitAsync(s_limit);

        Assert.True(withFaults.Succeeded);
        Assert.Equal(faults, (await engine.FirstStarted).Faults);
        await harness.LogLine($"(faults: {faults})");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_statement_without_faults_sends_no_faults_member()
    {
        Assert.Equal("{\"type\":\"execute\",\"statement\":\"BACKUP\"}\n", System.Text.Encoding.UTF8.GetString(FrameEncoder.Execute("BACKUP", FaultPlan.None.ToString())));
        var engine = ScriptedEngine.Sending();
        await using var harness = DaemonHarness.Start(engine);

        await harness.Client().ExecuteAsync("BACKUP", FaultPlan.None).WaitAsync(s_limit);

        Assert.True((await engine.FirstStarted).Faults.IsEmpty);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_failed_statement_is_an_outcome_with_its_errors_and_line_numbers()
    {
        var error = SqlMessages.CannotOpenBackupDevice("set", "0x80770003(VD_E_TIMEOUT)") with { LineNumber = 3 };
        var engine = ScriptedEngine.Sending(error, SqlMessages.TerminatingAbnormally("BACKUP DATABASE") with { LineNumber = 3 });
        await using var harness = DaemonHarness.Start(engine);

        var outcome = await harness.Client().ExecuteAsync("BACKUP …").WaitAsync(s_limit);

        Assert.False(outcome.Succeeded);
        Assert.Equal(error, outcome.FirstError);
        Assert.Equal(3, outcome.FirstError!.LineNumber);
        Assert.Equal(SqlMessageNumbers.TerminatingAbnormally, outcome.Messages[1].Number);
        await harness.LogLine("failed: Msg 3201");
    }

    [Fact(Timeout = 30_000)]
    public async Task Each_message_reaches_the_client_while_the_statement_still_runs()
    {
        // The engine sends a message and then waits until the client's sink has it: only streaming lets it go on.
        var sink = new RecordingSink();
        var engine = new ScriptedEngine(async run =>
        {
            for (int percent = 10; percent <= 30; percent += 10)
            {
                run.Send(SqlMessages.PercentProcessed(percent));
                await sink.Received(percent / 10).WaitAsync(s_limit);
            }

            return run.Outcome();
        });
        await using var harness = DaemonHarness.Start(engine);

        var outcome = await harness.Client().ExecuteAsync("RESTORE VERIFYONLY FROM VIRTUAL_DEVICE = 'v'", sink).WaitAsync(s_limit);

        Assert.True(outcome.Succeeded);
        Assert.Equal(["10 percent processed.", "20 percent processed.", "30 percent processed."], sink.Messages.Select(m => m.Text));
    }

    [Fact(Timeout = 30_000)]
    public async Task Result_sets_keep_their_columns_rows_and_value_types()
    {
        var when = new DateTime(2025, 3, 14, 15, 9, 26, 535, DateTimeKind.Utc);
        var id = Guid.NewGuid();
        var header = new ResultSet(
            ["BackupName", "BackupType", "Position", "BackupSize", "Compressed", "BackupStartDate", "BackupSetGUID", "SoftwareVersionMajor", "Ratio", "Offset", "Hash", "Missing", "Mixed"],
            [
                ["nightly", (short)1, 1, 268_435_456L, false, when, id, (byte)16, 1.5m, new DateTimeOffset(when, TimeSpan.Zero), new byte[] { 1, 2, 255 }, null, 1],
                ["second \"quoted\" 'name' é\n", (short)5, 2, long.MaxValue, true, when.AddDays(1), Guid.Empty, (byte)0, 0.1m, DateTimeOffset.MinValue, Array.Empty<byte>(), null, "one"],
            ]);
        var files = new ResultSet(["LogicalName", "Size"], [["sales", 3.25], ["sales_log", double.NaN]]);
        var engine = new ScriptedEngine(run =>
        {
            run.Send(header);
            run.Send(SqlMessages.PercentProcessed(100));
            run.Send(files);
            run.Send(new ResultSet(["Empty"], []));
            return Task.FromResult(run.Outcome());
        });
        await using var harness = DaemonHarness.Start(engine);
        var sink = new RecordingSink();

        var outcome = await harness.Client().ExecuteAsync("RESTORE HEADERONLY FROM VIRTUAL_DEVICE = 'h'", sink).WaitAsync(s_limit);

        Assert.Equal(3, outcome.ResultSets.Count);
        var got = outcome.ResultSets[0];
        Assert.Equal(header.Columns, got.Columns);
        Assert.Equal(2, got.Rows.Count);
        for (int column = 0; column < header.Columns.Count - 1; column++)
        {
            Assert.Equal(header.Rows[0][column], got.Rows[0][column]);
            Assert.Equal(header.Rows[1][column], got.Rows[1][column]);
            Assert.Equal(header.Rows[0][column]?.GetType(), got.Rows[0][column]?.GetType());
        }

        Assert.Equal(DateTimeKind.Utc, ((DateTime)got.Value(0, "BackupStartDate")!).Kind);

        // A column of mixed types travels as text.
        Assert.Equal("1", got.Value(0, "Mixed"));
        Assert.Equal("one", got.Value(1, "Mixed"));
        Assert.Equal(3.25, outcome.ResultSets[1].Value(0, "Size"));
        Assert.True(double.IsNaN((double)outcome.ResultSets[1].Value(1, "Size")!));
        Assert.Empty(outcome.ResultSets[2].Rows);

        // The sink saw them in the order sent, interleaved with the message.
        Assert.Equal([typeof(ResultSet), typeof(SqlMessage), typeof(ResultSet), typeof(ResultSet)], sink.Items.Select(i => i.GetType()));
    }

    [Fact(Timeout = 30_000)]
    public async Task What_the_engine_returns_without_streaming_still_reaches_the_client()
    {
        var streamed = SqlMessages.PercentProcessed(100);
        var kept = SqlMessages.BackupSetValid(1);
        var table = new ResultSet(["A"], [[1]]);
        var engine = new ScriptedEngine(run =>
        {
            run.Sink!.OnMessage(streamed);
            return Task.FromResult(new StatementOutcome { Succeeded = true, Messages = [streamed, kept], ResultSets = [table] });
        });
        await using var harness = DaemonHarness.Start(engine);
        var sink = new RecordingSink();

        var outcome = await harness.Client().ExecuteAsync("RESTORE VERIFYONLY FROM VIRTUAL_DEVICE = 'v'", sink).WaitAsync(s_limit);

        Assert.Equal([streamed, kept], outcome.Messages);
        Assert.Equal([streamed, kept], sink.Messages);
        Assert.Single(outcome.ResultSets);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_engine_fault_is_an_exception_on_the_client_not_an_outcome()
    {
        var engine = new ScriptedEngine(_ => throw new InvalidOperationException("the engine broke"));
        await using var harness = DaemonHarness.Start(engine);

        var e = await Assert.ThrowsAsync<EngineClientException>(() => harness.Client().ExecuteAsync("BACKUP …").WaitAsync(s_limit));

        Assert.Equal(EngineClientError.EngineFault, e.Error);
        Assert.Contains("the engine broke", e.Message, StringComparison.Ordinal);
        await harness.LogLine("engine fault: System.InvalidOperationException: the engine broke");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_client_with_no_daemon_is_told_to_start_one()
    {
        var directory = Directory.CreateTempSubdirectory("ovdi-fd-");
        try
        {
            var client = new EngineClient(Path.Combine(directory.FullName, "none.sock"));

            var e = await Assert.ThrowsAsync<EngineClientException>(() => client.ExecuteAsync("BACKUP …").WaitAsync(s_limit));

            Assert.Equal(EngineClientError.NotRunning, e.Error);
            Assert.Contains("vdi engine serve", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
