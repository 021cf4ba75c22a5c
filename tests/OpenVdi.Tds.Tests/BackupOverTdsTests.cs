using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Cli.SqlServer;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Messages;
using OpenVdi.Tds.Tests.Infrastructure;

namespace OpenVdi.Tds.Tests;

/// <summary>
/// Backups and restores whose statements travel over TDS with Microsoft.Data.SqlClient (the code of
/// <c>vdi … --server</c>), while this process creates the virtual device set and serves its devices.
/// </summary>
public sealed class BackupOverTdsTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(90);

    [Fact(Timeout = 180_000)]
    public async Task STATS_progress_arrives_as_InfoMessage_events_while_the_backup_runs()
    {
        // The engine flushes every 512 KiB: the device holds its first flush until a progress message has arrived,
        // so the backup can only finish if the messages came while it ran.
        await using var engine = TdsEngine.Start(flushInterval: 512 << 10);
        var sink = new RecordingSink();
        var device = new GatedStripe(sink.Arrival(SqlMessageNumbers.PercentProcessed));
        var session = await engine.Within(
            DeviceSession.RunAsync(
                new SessionRequest
                {
                    Engine = new SqlServerStatementEngine(engine.ConnectionString()),
                    Sink = sink,
                    DeviceCount = 1,
                    Statement = names => StatementText.Backup(TdsEngine.BackupOfSample(string.Empty) with { Transfer = new TransferOptions(65536, 65536, Stats: 10) }, names),
                    Direction = VdFeatures.VDF_WriteMedia,
                    Stripe = _ => device,
                    StripeNames = ["stripe"],
                    Monitor = new TransferMonitor("backup", () => device.Bytes),
                },
                CancellationToken.None),
            s_limit,
            $"The backup (messages so far: {string.Join(", ", sink.Messages.Select(m => m.Number))})");

        Assert.True(session.Succeeded, session.EngineFailure?.Message ?? device.Failure ?? string.Join("\n", sink.Messages));
        var progress = sink.Messages.Where(m => m.Number == SqlMessageNumbers.PercentProcessed).Select(m => m.Text).ToList();
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"{i * 10} percent processed."), progress);
        Assert.Equal(SqlMessageNumbers.SuccessfullyProcessed, sink.Messages[^1].Number);
        Assert.True(device.Bytes > engine.Sample.Files.Sum(f => new FileInfo(engine.Sample.GetFullPath(f)).Length));
    }

    [Fact(Timeout = 180_000)]
    public async Task HEADERONLY_reads_back_as_a_result_set_with_SQL_Server_s_column_types()
    {
        await using var engine = TdsEngine.Start();
        var sink = new RecordingSink();
        var application = new BackupApplication(new SqlServerStatementEngine(engine.ConnectionString()), sink);
        string backup = engine.Combine("backup");

        var backedUp = await application.BackupAsync(TdsEngine.BackupOfSample(backup, devices: 2), CancellationToken.None).WaitAsync(s_limit);
        var listed = await application.InspectAsync(InspectionKind.HeaderOnly, backup, CancellationToken.None).WaitAsync(s_limit);

        Assert.True(backedUp.Succeeded, backedUp.Problem);
        Assert.True(listed.Succeeded, listed.Problem);
        var header = Assert.Single(sink.ResultSets);
        Assert.Equal(TdsEngine.SampleDatabase, header.Value(0, "DatabaseName"));
        Assert.Equal((short)1, header.Value(0, "BackupType"));
        Assert.Equal((byte)7, header.Value(0, "DeviceType"));
        Assert.Equal((decimal)engine.Sample.Files.Sum(f => new FileInfo(engine.Sample.GetFullPath(f)).Length), header.Value(0, "BackupSize"));
        Assert.Equal(true, header.Value(0, "HasBackupChecksums"));
        Assert.IsType<Guid>(header.Value(0, "BackupSetGUID"));
        Assert.IsType<DateTime>(header.Value(0, "BackupStartDate"));
        Assert.Null(header.Value(0, "BackupFinishDate"));
        string Type(string column) => header.TypeOf(header.Columns.ToList().IndexOf(column)).ToString();
        Assert.Equal("nvarchar(128)", Type("DatabaseName"));
        Assert.Equal("smallint", Type("BackupType"));
        Assert.Equal("tinyint", Type("DeviceType"));
        Assert.Equal("numeric(20,0)", Type("BackupSize"));
        Assert.Equal("datetime", Type("BackupStartDate"));
        Assert.Equal("bit", Type("IsCopyOnly"));
        Assert.Equal("uniqueidentifier", Type("BackupSetGUID"));
    }

    [Fact(Timeout = 180_000)]
    public async Task FILELISTONLY_and_LABELONLY_come_back_with_their_rows()
    {
        await using var engine = TdsEngine.Start();
        var sink = new RecordingSink();
        var sqlClient = new SqlServerStatementEngine(engine.ConnectionString());
        string backup = engine.Combine("backup");
        Assert.True((await new BackupApplication(sqlClient).BackupAsync(TdsEngine.BackupOfSample(backup) with { Checksum = false }, CancellationToken.None).WaitAsync(s_limit)).Succeeded);

        foreach (string kind in new[] { "FILELISTONLY", "LABELONLY" })
        {
            using var stripes = StripeFiles.OpenForRestore(backup);
            var session = await DeviceSession.RunAsync(
                new SessionRequest
                {
                    Engine = sqlClient,
                    Sink = sink,
                    DeviceCount = 1,
                    Statement = names => $"RESTORE {kind} FROM VIRTUAL_DEVICE = N'{names[0]}'",
                    Direction = VdFeatures.VDF_ReadMedia,
                    Stripe = i => stripes[i],
                    StripeNames = ["stripe"],
                    Monitor = new TransferMonitor("restore", () => 0),
                },
                CancellationToken.None).WaitAsync(s_limit);
            Assert.True(session.Succeeded, string.Join("\n", sink.Messages));
        }

        var files = sink.ResultSets[0];
        Assert.Equal(engine.Sample.Files.Select(f => f.LogicalName), files.Rows.Select(r => (string)r[0]!));
        Assert.Equal("char(1)", files.TypeOf(files.Columns.ToList().IndexOf("Type")).ToString());
        Assert.Equal("D", files.Value(0, "Type"));
        var label = sink.ResultSets[1];
        Assert.Equal(1, label.Value(0, "FamilyCount"));
        Assert.Equal("OpenVdi", label.Value(0, "SoftwareName"));
    }

    [Fact(Timeout = 240_000)]
    public async Task Vdi_backup_and_restore_with_server_give_back_the_same_bytes()
    {
        await using var engine = TdsEngine.Start();
        string connection = engine.ConnectionString();
        string backup = engine.Combine("backup");

        var backedUp = await Vdi.RunAsync("backup", "--database", TdsEngine.SampleDatabase, "--to", backup, "--devices", "3", "--stats", "10", "--server", connection).WaitAsync(s_limit);
        var restored = await Vdi.RunAsync("restore", "--from", backup, "--database", "sales_copy", "--server", connection).WaitAsync(s_limit);

        Assert.True(backedUp.Code == 0, $"backup exit {backedUp.Code}: {backedUp.Output}{backedUp.Error}");
        Assert.True(restored.Code == 0, $"restore exit {restored.Code}: {restored.Output}{restored.Error}");
        string said = backedUp.Output + backedUp.Error;
        Assert.Contains("BACKUP DATABASE successfully processed", said, StringComparison.Ordinal);
        Assert.Contains("30 percent processed.", said, StringComparison.Ordinal);
        var (bytes, difference) = FileComparison.Compare(engine.Sample, engine.Engine.Catalogue.Get("sales_copy"));
        Assert.Null(difference);
        Assert.True(bytes > 0);
    }

    [Fact(Timeout = 180_000)]
    public async Task Vdi_backup_with_server_of_a_database_that_does_not_exist_fails_with_the_server_s_messages_and_keeps_nothing()
    {
        await using var engine = TdsEngine.Start();
        string backup = engine.Combine("nothing");

        var (exit, output, error) = await Vdi.RunAsync("backup", "--database", "nosuch", "--to", backup, "--server", engine.ConnectionString()).WaitAsync(s_limit);

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("Msg 911, Level 16, State 1", output + error, StringComparison.Ordinal);
        Assert.Contains("BACKUP DATABASE is terminating abnormally.", output + error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(backup));
    }

    [Fact]
    public void Server_with_socket_or_faults_is_a_usage_error()
    {
        var withSocket = Vdi.Run("verify", "--from", "/nonexistent", "--server", "Server=x", "--socket", "/tmp/s.sock");
        var withFaults = Vdi.Run("verify", "--from", "/nonexistent", "--server", "Server=x", "--faults", "delay=1ms");
        var badString = Vdi.Run("verify", "--from", Path.GetTempPath(), "--server", "Nonsense Keyword=1");

        Assert.Equal([ExitCodes.Usage, ExitCodes.Usage, ExitCodes.Usage], new[] { withSocket.Code, withFaults.Code, badString.Code });
        Assert.Contains("--server and --socket exclude each other", withSocket.Error, StringComparison.Ordinal);
        Assert.Contains("--faults needs the engine daemon", withFaults.Error, StringComparison.Ordinal);
        Assert.Contains("--server:", badString.Error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 180_000)]
    public async Task Two_backups_run_at_once_on_two_connections()
    {
        await using var engine = TdsEngine.Start();
        var application = new BackupApplication(new SqlServerStatementEngine(engine.ConnectionString()));

        var results = await Task.WhenAll(
            application.BackupAsync(TdsEngine.BackupOfSample(engine.Combine("one"), devices: 2), CancellationToken.None),
            application.BackupAsync(TdsEngine.BackupOfSample(engine.Combine("two"), devices: 2), CancellationToken.None)).WaitAsync(s_limit);

        Assert.All(results, r => Assert.True(r.Succeeded, r.Problem ?? r.Outcome?.FirstError?.Text));
    }
}
