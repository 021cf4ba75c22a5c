using OpenVdi.Cli.Client;
using OpenVdi.Cli.Output;
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

            var backedUp = await application.BackupAsync(new BackupRequest { Database = "sales", Directory = backup, Devices = 3, Transfer = new TransferOptions(4096, 65536, 8, 50), Checksum = true }, CancellationToken.None).WaitAsync(s_limit);
            var verified = await application.VerifyAsync(backup, stats: null, CancellationToken.None).WaitAsync(s_limit);
            var listed = await application.InspectAsync(InspectionKind.HeaderOnly, backup, CancellationToken.None).WaitAsync(s_limit);
            var restored = await application.RestoreAsync(new RestoreRequest { Directory = backup, Database = "sales_copy" }, CancellationToken.None).WaitAsync(s_limit);

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
            var result = await new BackupApplication(new EngineClient(socket)).BackupAsync(new BackupRequest { Database = "nosuch", Directory = temp.Combine("b"), Devices = 2, Transfer = new TransferOptions(), Checksum = false }, CancellationToken.None).WaitAsync(s_limit);

            Assert.False(result.Succeeded);
            Assert.Equal(SqlMessageNumbers.TerminatingAbnormally, result.Outcome!.Messages[^1].Number);
            Assert.False(Directory.Exists(temp.Combine("b")));
        }
        finally
        {
            await daemon.StopAsync().WaitAsync(s_limit);
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task A_stripe_write_that_finds_the_disk_full_fails_the_backup_with_3202_and_3013_and_leaves_no_file()
    {
        Assert.True(File.Exists("/dev/full"), "This test needs /dev/full, whose writes the kernel fails with ENOSPC.");
        using var temp = new TempDirectory();
        string data = temp.Combine("data");
        SampleDatabase.Create(data, "sales", 4 << 20, seed: 11);
        string socket = temp.Combine("engine.sock");
        var daemon = new EngineDaemon(new StatementEngine(new EngineOptions { DataDirectory = data }), new EngineDaemonOptions { SocketPath = socket });
        daemon.Start();
        try
        {
            // The disk holds 1 MiB of the 4 MiB backup; the target directory exists, so what is left in it shows.
            string backup = temp.Combine("backup");
            Directory.CreateDirectory(backup);
            var disk = new FillingDisk(1 << 20);
            var output = new StringWriter();
            var error = new StringWriter();
            using var human = new HumanOutput("backup", new CliTerminal(output, error), quiet: false);
            var application = new BackupApplication(new EngineClient(socket), human) { StripeStreamFilter = disk.Wrap, Observer = human };

            var result = await application.BackupAsync(new BackupRequest { Database = "sales", Directory = backup, Devices = 3, Transfer = new TransferOptions(65536, 65536), Checksum = true }, CancellationToken.None).WaitAsync(s_limit);

            Assert.True(disk.Refused > 0, "No write found the disk full.");
            Assert.False(result.Succeeded);
            var cause = result.Outcome!.FirstError!;
            Assert.Equal(SqlMessageNumbers.WriteFailed, cause.Number);
            Assert.Matches("""^Write on "vdi-[0-9a-f-]+(\.[23])?" failed: 112\(There is not enough space on the disk\.\)$""", cause.Text);
            Assert.Equal(SqlMessageNumbers.TerminatingAbnormally, result.Outcome.Messages[^1].Number);
            Assert.DoesNotContain(result.Outcome.Messages, m => m.Number == SqlMessageNumbers.SuccessfullyProcessed);
            Assert.Contains("Msg 3202, Level 16", error.ToString(), StringComparison.Ordinal);
            Assert.Contains("Msg 3013, Level 16", error.ToString(), StringComparison.Ordinal);
            Assert.Matches(@"Write on ""stripe-0[1-3]\.bak"" failed: 112\(There is not enough space on the disk\.\)", error.ToString());
            Assert.StartsWith("write to stripe-0", result.Reason, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(backup));
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
