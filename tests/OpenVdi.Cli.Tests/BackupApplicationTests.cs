using OpenVdi.Cli.Client;
using OpenVdi.Cli.Tests.Infrastructure;
using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Format;
using OpenVdi.Engine.FrontDoor;
using OpenVdi.Engine.Messages;

namespace OpenVdi.Cli.Tests;

/// <summary>
/// The backup application against an engine that drives its set over real VDI shared memory: stripes land only on
/// success, every command is served, restores give each device its stripe, and failures and cancellations leave
/// nothing behind and never hang.
/// </summary>
public sealed class BackupApplicationTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(60);
    private static readonly TransferOptions s_transfer = new(BlockSize: 4096, MaxTransferSize: 65536, BufferCount: 6);

    [Fact(Timeout = 120_000)]
    public async Task A_backup_stores_each_device_stream_in_its_own_stripe_file()
    {
        using var temp = new TempDirectory();
        var engine = new StreamingEngine();
        var application = new BackupApplication(engine);

        var result = await application.BackupAsync(new BackupRequest { Database = "sales", Directory = temp.Combine("b"), Devices = 3, Transfer = s_transfer, Checksum = true }, CancellationToken.None).WaitAsync(s_limit);

        Assert.True(result.Succeeded, result.Problem ?? string.Join(" | ", result.Outcome?.Messages.Select(m => m.Text) ?? []));
        Assert.Equal(["stripe-01.bak", "stripe-02.bak", "stripe-03.bak"], temp.Files(temp.Combine("b")));
        for (int device = 0; device < 3; device++)
        {
            // The engine pads each stripe's last transfer to whole blocks, as a backup medium holds whole blocks.
            byte[] expected = Padded(engine.Content(device), 4096);
            Assert.Equal(expected, File.ReadAllBytes(temp.Combine("b", StripeFiles.FinalName(device + 1))));
        }

        Assert.Equal(3, result.Files.Count);
        Assert.Equal(Enumerable.Range(0, 3).Sum(d => (long)Padded(engine.Content(d), 4096).Length), result.Bytes);
        string statement = Assert.Single(engine.Statements);
        Assert.Equal(
            $"BACKUP DATABASE [sales] TO VIRTUAL_DEVICE = N'{result.SetName}', VIRTUAL_DEVICE = N'{result.SetName}.2', VIRTUAL_DEVICE = N'{result.SetName}.3' " +
            "WITH BLOCKSIZE = 4096, MAXTRANSFERSIZE = 65536, BUFFERCOUNT = 6, CHECKSUM",
            statement);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_backup_whose_statement_fails_after_every_byte_arrived_keeps_nothing()
    {
        using var temp = new TempDirectory();
        var application = new BackupApplication(new StreamingEngine { Failure = StreamingEngine.Fault.AfterStreaming });

        var result = await application.BackupAsync(new BackupRequest { Database = "sales", Directory = temp.Combine("b"), Devices = 2, Transfer = s_transfer, Checksum = false }, CancellationToken.None).WaitAsync(s_limit);

        Assert.False(result.Succeeded);
        Assert.Equal(SqlMessageNumbers.BackupSetDamaged, result.Outcome!.FirstError!.Number);
        Assert.Empty(temp.Files());
        Assert.False(Directory.Exists(temp.Combine("b")));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_statement_that_fails_before_configuring_the_set_ends_the_wait_for_the_configuration()
    {
        using var temp = new TempDirectory();
        var application = new BackupApplication(new StreamingEngine { Failure = StreamingEngine.Fault.BeforeConfiguring });

        var result = await application.BackupAsync(new BackupRequest { Database = "sales", Directory = temp.Path, Devices = 4, Transfer = s_transfer, Checksum = false }, CancellationToken.None).WaitAsync(s_limit);

        Assert.False(result.Succeeded);
        Assert.Equal(SqlMessageNumbers.CannotOpenBackupDevice, result.Outcome!.FirstError!.Number);
        Assert.Null(result.Problem);
        Assert.Empty(temp.Files());
    }

    [Fact(Timeout = 120_000)]
    public async Task A_cancelled_backup_aborts_the_set_and_keeps_nothing()
    {
        using var temp = new TempDirectory();
        var engine = new StreamingEngine { Failure = StreamingEngine.Fault.HoldUntilCancelled };
        var application = new BackupApplication(engine);
        using var cancel = new CancellationTokenSource();

        var running = application.BackupAsync(new BackupRequest { Database = "sales", Directory = temp.Path, Devices = 2, Transfer = s_transfer, Checksum = false }, cancel.Token);
        await engine.Configured.WaitAsync(s_limit);
        await cancel.CancelAsync();
        var result = await running.WaitAsync(s_limit);

        Assert.False(result.Succeeded);
        Assert.Equal("Cancelled.", result.Problem);
        Assert.Empty(temp.Files());
    }

    [Fact(Timeout = 120_000)]
    public async Task An_engine_that_cannot_be_reached_is_reported_and_leaves_nothing()
    {
        using var temp = new TempDirectory();
        var application = new BackupApplication(new EngineClient(temp.Combine("no.sock")));

        var result = await application.BackupAsync(new BackupRequest { Database = "sales", Directory = temp.Combine("b"), Devices = 2, Transfer = s_transfer, Checksum = false }, CancellationToken.None).WaitAsync(s_limit);

        Assert.False(result.Succeeded);
        Assert.Contains("No OpenVdi engine is listening", result.Problem, StringComparison.Ordinal);
        Assert.Empty(temp.Files());
        Assert.False(Directory.Exists(temp.Combine("b")));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_restore_serves_each_device_its_stripe_to_the_end_whatever_the_lengths()
    {
        using var temp = new TempDirectory();
        var contents = Enumerable.Range(0, 3).Select(i => StreamingEngine.Pattern(i + 5, 150_001 + (i * 77_777))).ToArray();
        for (int i = 0; i < contents.Length; i++)
        {
            File.WriteAllBytes(temp.Combine(StripeFiles.FinalName(i + 1)), contents[i]);
        }

        var engine = new StreamingEngine();
        var application = new BackupApplication(engine);

        var result = await application.RestoreAsync(new RestoreRequest { Directory = temp.Path, Database = "copy", Replace = true, Moves = [("sales", "/data/copy.mdf")], Stats = 25, BufferCount = 5 }, CancellationToken.None).WaitAsync(s_limit);

        Assert.True(result.Succeeded, result.Problem ?? string.Join(" | ", result.Outcome?.Messages.Select(m => m.Text) ?? []));
        for (int i = 0; i < contents.Length; i++)
        {
            Assert.Equal(contents[i], engine.Received[i]);
        }

        Assert.Equal(contents.Sum(c => (long)c.Length), result.Bytes);

        // These files are not a real media set, so no BLOCKSIZE could be read from them: the engine's default applies.
        Assert.Equal(
            $"RESTORE DATABASE [copy] FROM VIRTUAL_DEVICE = N'{result.SetName}', VIRTUAL_DEVICE = N'{result.SetName}.2', VIRTUAL_DEVICE = N'{result.SetName}.3' " +
            "WITH REPLACE, MOVE N'sales' TO N'/data/copy.mdf', STATS = 25, BUFFERCOUNT = 5",
            Assert.Single(engine.Statements));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_restore_asks_for_the_block_and_transfer_size_the_backup_was_written_with()
    {
        using var temp = new TempDirectory();
        var stripes = RealStripes(temp.Combine("data"), families: 2, blockSize: 8192, maxTransferSize: 131072);
        string backup = temp.Combine("b");
        Directory.CreateDirectory(backup);
        for (int i = 0; i < stripes.Length; i++)
        {
            File.WriteAllBytes(Path.Combine(backup, StripeFiles.FinalName(i + 1)), stripes[i]);
        }

        using (var opened = StripeFiles.OpenForRestore(backup))
        {
            Assert.Equal(new StripeGeometry(8192, 131072, 2, BackupType.Database), StripeProbe.Read(opened[1]));
        }

        var engine = new StreamingEngine();
        var result = await new BackupApplication(engine).VerifyAsync(backup, stats: null, CancellationToken.None).WaitAsync(s_limit);

        Assert.True(result.Succeeded, result.Problem);
        Assert.EndsWith("WITH BLOCKSIZE = 8192, MAXTRANSFERSIZE = 131072", Assert.Single(engine.Statements), StringComparison.Ordinal);
        Assert.Equal(stripes[0], engine.Received[0]);
        Assert.Equal(stripes[1], engine.Received[1]);
    }

    [Fact(Timeout = 120_000)]
    public async Task Backup_then_verify_through_the_daemon_reads_back_every_byte_written()
    {
        using var temp = new TempDirectory();
        var engine = new StreamingEngine();
        string socket = temp.Combine("engine.sock");
        var daemon = new EngineDaemon(engine, new EngineDaemonOptions { SocketPath = socket });
        daemon.Start();
        try
        {
            var sink = new CollectingSink();
            var application = new BackupApplication(new EngineClient(socket), sink);

            var backup = await application.BackupAsync(new BackupRequest { Database = "sales", Directory = temp.Combine("b"), Devices = 4, Transfer = s_transfer, Checksum = false }, CancellationToken.None).WaitAsync(s_limit);
            var verify = await application.VerifyAsync(temp.Combine("b"), stats: null, CancellationToken.None).WaitAsync(s_limit);

            Assert.True(backup.Succeeded, backup.Problem);
            Assert.True(verify.Succeeded, verify.Problem ?? string.Join(" | ", verify.Outcome?.Messages.Select(m => m.Text) ?? []));
            for (int device = 0; device < 4; device++)
            {
                Assert.Equal(Padded(engine.Content(device), 4096), engine.Received[device]);
            }

            Assert.Equal([SqlMessageNumbers.SuccessfullyProcessed, SqlMessageNumbers.SuccessfullyProcessed], sink.Messages.Select(m => m.Number));
        }
        finally
        {
            await daemon.StopAsync().WaitAsync(s_limit);
        }
    }

    /// <summary>A real media set (docs/backup-stream.md) of a small sample database, written by the engine's own stripe writer.</summary>
    private static byte[][] RealStripes(string data, int families, int blockSize, int maxTransferSize)
    {
        SampleDatabase.Create(data, "probe", 1 << 20, seed: 3);
        using var reader = new DatabaseCatalogue(data).OpenReader("probe");
        var set = new BackupSetHeader
        {
            BackupSetId = Guid.NewGuid(),
            MediaSetId = Guid.NewGuid(),
            DatabaseName = "probe",
            Type = BackupType.Database,
            StartTime = DateTimeOffset.UtcNow,
            BlockSize = blockSize,
            MaxTransferSize = maxTransferSize,
            Files = reader.Files,
        };
        var writers = StripeWriter.CreateMediaSet(set, families, reader);
        var buffer = new byte[maxTransferSize];
        return [.. writers.Select(writer =>
        {
            using var output = new MemoryStream();
            int length;
            while ((length = writer.WriteNext(buffer)) > 0)
            {
                output.Write(buffer, 0, length);
            }

            return output.ToArray();
        })];
    }

    private static byte[] Padded(byte[] content, int blockSize)
    {
        var padded = new byte[(content.Length + blockSize - 1) / blockSize * blockSize];
        content.CopyTo(padded, 0);
        return padded;
    }

    private sealed class CollectingSink : Engine.Execution.IStatementSink
    {
        public List<SqlMessage> Messages { get; } = [];

        public void OnMessage(SqlMessage message) => Messages.Add(message);

        public void OnResultSet(Engine.Execution.ResultSet resultSet)
        {
        }
    }
}
