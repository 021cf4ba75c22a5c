using OpenVdi.Cli.Client;
using OpenVdi.Cli.Tests.Infrastructure;
using OpenVdi.Engine.Databases;

namespace OpenVdi.Cli.Tests;

/// <summary>
/// Fault injection from the command line, through the real daemon: 'vdi engine serve --faults' runs as its own
/// process and injects into every statement; 'vdi backup|restore|verify --faults' send their faults with the statement.
/// </summary>
public sealed class FaultCommandLineTests
{
    private static readonly TimeSpan s_startLimit = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_stopLimit = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 180_000)]
    public async Task A_daemon_serving_with_abort_after_fails_every_backup_with_3204_and_the_client_keeps_nothing()
    {
        using var temp = new TempDirectory();
        SampleDatabase.Create(temp.Combine("data"), "sales", 2 << 20, seed: 4);
        var engine = await StartDaemonAsync(temp, "--faults", "abort-after=256KiB");
        try
        {
            var (code, _, error) = await Vdi.RunAsync("backup", "--database", "sales", "--to", temp.Combine("b"), "--devices", "2", "--socket", temp.Combine("e.sock"));

            Assert.Equal(1, code);
            Assert.Contains("Msg 3204,", error, StringComparison.Ordinal);
            Assert.Contains("Msg 3013,", error, StringComparison.Ordinal);
            Assert.False(Directory.Exists(temp.Combine("b")), "The failed backup left its directory behind.");
            Assert.Contains("injecting faults into every statement: abort-after=262144", engine.Output, StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(engine);
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task Faults_given_to_a_client_command_apply_to_its_statement_only()
    {
        using var temp = new TempDirectory();
        string data = temp.Combine("data");
        var original = SampleDatabase.Create(data, "sales", 2 << 20, seed: 5);
        string socket = temp.Combine("e.sock");
        var engine = await StartDaemonAsync(temp);
        try
        {
            // A device closed early: the backup fails, and nothing of it is kept. Transfers of 64 KiB give the second
            // device many of them, so it is sure to move its 64 KiB however the engine shares the work out.
            var closed = await Vdi.RunAsync("backup", "--database", "sales", "--to", temp.Combine("closed"), "--devices", "2", "--maxtransfersize", "64KiB", "--socket", socket, "--faults", "close-device=1@64KiB");
            Assert.Equal(1, closed.Code);
            Assert.Contains("Msg 3013,", closed.Error, StringComparison.Ordinal);
            Assert.False(Directory.Exists(temp.Combine("closed")), "The failed backup left its directory behind.");

            // Extra flushes and an unsupported command the client refuses: the engine clears the error and goes on.
            var backup = await Vdi.RunAsync("backup", "--database", "sales", "--to", temp.Combine("b"), "--devices", "2", "--socket", socket, "--faults", "flush-every=64KiB,unsupported=GetPosition");
            Assert.True(backup.Code == 0, backup.Error);
            Assert.Equal(2, StripeFiles.Find(temp.Combine("b")).Count);

            // The same daemon, without faults: the restore succeeds; with abort-after it fails and restores nothing.
            var aborted = await Vdi.RunAsync("restore", "--from", temp.Combine("b"), "--database", "aborted", "--socket", socket, "--faults", "abort-after=64KiB");
            Assert.Equal(1, aborted.Code);
            Assert.Contains("Msg 3204,", aborted.Error, StringComparison.Ordinal);
            Assert.False(new DatabaseCatalogue(data).Exists("aborted"), "An aborted restore created the database.");

            var restore = await Vdi.RunAsync("restore", "--from", temp.Combine("b"), "--database", "copy", "--socket", socket);
            Assert.True(restore.Code == 0, restore.Error);
            Assert.Null(FileComparison.Compare(original, new DatabaseCatalogue(data).Get("copy")).Difference);

            Assert.Contains("(faults: close-device=1@65536)", engine.Output, StringComparison.Ordinal);
            Assert.Contains("(faults: flush-every=65536,unsupported=VDC_GetPosition)", engine.Output, StringComparison.Ordinal);
            Assert.Contains("(faults: abort-after=65536)", engine.Output, StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(engine);
        }
    }

    [Theory]
    [InlineData("backup --database db --to d --faults bogus=1", "--faults 'bogus=1': Unknown fault 'bogus'")]
    [InlineData("backup --database db --to d --faults delay=soon", "--faults 'delay=soon': 'soon' is not a time")]
    [InlineData("restore --from / --database db --faults close-device=1", "close-device takes INDEX@SIZE")]
    [InlineData("verify --from / --faults ,", "--faults ',' names no fault")]
    [InlineData("headeronly --from / --faults unsupported=VDC_Read", "is not a command code the server could send unasked")]
    [InlineData("engine serve --faults flush-every=0", "flush-every takes a size of at least 1 byte")]
    public void A_bad_fault_spec_exits_2_with_the_reason(string line, string reason)
    {
        var (code, _, error) = Vdi.Run(line.Split(' '));

        Assert.Equal(2, code);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    private static Task<EngineProcess> StartDaemonAsync(TempDirectory temp, params string[] options) =>
        EngineProcess.StartAsync(temp.Combine("data"), temp.Combine("e.sock"), s_startLimit, CancellationToken.None, options);

    private static async Task StopAsync(EngineProcess engine)
    {
        int? exit = await engine.StopAsync(s_stopLimit);
        engine.Dispose();
        Assert.True(exit == 0, $"The daemon did not stop cleanly (exit {exit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none: killed"}). Its output:\n{engine.Output}");
    }
}
