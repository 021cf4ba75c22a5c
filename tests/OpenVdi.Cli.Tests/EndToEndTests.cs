using OpenVdi.Cli.Client;
using OpenVdi.Cli.Tests.Infrastructure;
using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.FrontDoor;
using OpenVdi.Engine.Messages;

namespace OpenVdi.Cli.Tests;

/// <summary>The backup application with the real engine behind the daemon: what 'vdi demo' does, in one process.</summary>
public sealed class EndToEndTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(90);

    [Fact(Timeout = 180_000)]
    public async Task Backup_verify_headeronly_and_restore_give_back_the_same_bytes()
    {
        using var temp = new TempDirectory();
        string data = temp.Combine("data");
        var original = SampleDatabase.Create(data, "sales", (4 << 20) + 12345, seed: 9);
        string socket = temp.Combine("engine.sock");
        var daemon = new EngineDaemon(new StatementEngine(new EngineOptions { DataDirectory = data }), new EngineDaemonOptions { SocketPath = socket });
        daemon.Start();
        try
        {
            var sink = new ResultSetSink();
            var application = new BackupApplication(new EngineClient(socket), sink);
            string backup = temp.Combine("backup");

            var backedUp = await application.BackupAsync("sales", backup, 3, new TransferOptions(4096, 65536, 8, 50), checksum: true, CancellationToken.None).WaitAsync(s_limit);
            var verified = await application.VerifyAsync(backup, stats: null, CancellationToken.None).WaitAsync(s_limit);
            var listed = await application.HeaderOnlyAsync(backup, CancellationToken.None).WaitAsync(s_limit);
            var restored = await application.RestoreAsync(backup, "sales_copy", replace: false, moves: [], stats: null, CancellationToken.None).WaitAsync(s_limit);

            Assert.True(backedUp.Succeeded, Describe(backedUp));
            Assert.Equal(3, StripeFiles.Find(backup).Count);
            Assert.Equal(SqlMessageNumbers.SuccessfullyProcessed, backedUp.Outcome!.Messages[^1].Number);
            Assert.True(verified.Succeeded, Describe(verified));
            Assert.Contains(verified.Outcome!.Messages, m => m.Number == SqlMessageNumbers.BackupSetValid);
            Assert.True(listed.Succeeded, Describe(listed));
            var header = Assert.Single(sink.ResultSets);
            Assert.Equal("sales", header.Value(0, "DatabaseName"));
            Assert.True(restored.Succeeded, Describe(restored));

            var catalogue = new DatabaseCatalogue(data);
            var (bytes, difference) = FileComparison.Compare(original, catalogue.Get("sales_copy"));
            Assert.Null(difference);
            Assert.Equal((4 << 20) + 12345, bytes);
        }
        finally
        {
            await daemon.StopAsync().WaitAsync(s_limit);
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task A_backup_of_a_database_that_does_not_exist_fails_with_the_engine_messages_and_keeps_nothing()
    {
        using var temp = new TempDirectory();
        string socket = temp.Combine("engine.sock");
        var daemon = new EngineDaemon(new StatementEngine(new EngineOptions { DataDirectory = temp.Combine("data") }), new EngineDaemonOptions { SocketPath = socket });
        daemon.Start();
        try
        {
            var result = await new BackupApplication(new EngineClient(socket)).BackupAsync("nosuch", temp.Combine("b"), 2, new TransferOptions(), checksum: false, CancellationToken.None).WaitAsync(s_limit);

            Assert.False(result.Succeeded);
            Assert.Equal(SqlMessageNumbers.TerminatingAbnormally, result.Outcome!.Messages[^1].Number);
            Assert.False(Directory.Exists(temp.Combine("b")));
        }
        finally
        {
            await daemon.StopAsync().WaitAsync(s_limit);
        }
    }

    private static string Describe(OperationResult result) =>
        result.Problem ?? string.Join(" | ", result.Outcome?.Messages.Select(m => m.Text) ?? []);

    private sealed class ResultSetSink : IStatementSink
    {
        public List<ResultSet> ResultSets { get; } = [];

        public void OnMessage(SqlMessage message)
        {
        }

        public void OnResultSet(ResultSet resultSet) => ResultSets.Add(resultSet);
    }
}
