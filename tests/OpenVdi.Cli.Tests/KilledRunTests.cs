using System.Diagnostics;
using OpenVdi.Cli.Client;
using OpenVdi.Cli.Tests.Infrastructure;
using OpenVdi.Engine.Databases;

namespace OpenVdi.Cli.Tests;

/// <summary>
/// A run that is interrupted or killed leaves nothing for good: what it was writing goes at once on Ctrl+C, and what
/// a killed run left is found and removed by the next run in the same place, which says so; a second daemon is not let
/// loose on a data directory another one serves (issue 8, items 10, 11 and 14). Every process here is real.
/// </summary>
public sealed class KilledRunTests
{
    private static readonly TimeSpan s_startLimit = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 120_000)]
    public async Task Ctrl_C_during_create_sample_exits_130_and_leaves_nothing()
    {
        using var temp = new TempDirectory();
        string data = temp.Combine("data");
        using var process = Process.Start(Redirected(ThisExecutable.Start("engine", "create-sample", "--name", "big", "--size", "16GiB", "--data", data)))!;
        var output = process.StandardError.ReadToEndAsync();

        // Interrupted once it is writing its files (into its staging folder, under the data directory).
        await Until(() => Directory.Exists(data) && Directory.EnumerateFiles(data, "*.mdf", SearchOption.AllDirectories).Any(), "create-sample began writing");
        Assert.True(UnixCalls.Signal(process.Id, 2), "SIGINT could not be sent.");
        await process.WaitForExitAsync().WaitAsync(s_limit);

        Assert.Equal(130, process.ExitCode);
        Assert.Contains("cancelled; nothing of 'big' was left behind", await output, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(data));
    }

    [Fact(Timeout = 180_000)]
    public async Task A_daemon_killed_in_the_middle_of_a_restore_leaves_files_that_the_next_daemon_removes()
    {
        using var temp = new TempDirectory();
        string data = temp.Combine("data");
        string socket = temp.Combine("e.sock");
        SampleDatabase.Create(data, "sales", 8 << 20, seed: 3);
        var engine = await EngineProcess.StartAsync(data, socket, s_startLimit, CancellationToken.None);
        try
        {
            var backup = await RunAsync("backup", "--database", "sales", "--to", temp.Combine("b"), "--devices", "2", "--socket", socket);
            Assert.True(backup.Code == 0, backup.Error);

            // A slow restore (the server pauses before each command), killed once its files are being written.
            var restore = RunAsync("restore", "--from", temp.Combine("b"), "--database", "copy", "--socket", socket, "--faults", "delay=200ms");
            await Until(() => Directory.EnumerateFiles(data, "*.restoring", SearchOption.AllDirectories).Any(), "the restore began writing its files");
            engine.Kill();
            Assert.NotEqual(0, (await restore.WaitAsync(s_limit)).Code);
            Assert.NotEmpty(Directory.EnumerateFiles(data, "*.restoring", SearchOption.AllDirectories));
        }
        finally
        {
            engine.Dispose();
        }

        var next = await EngineProcess.StartAsync(data, socket, s_startLimit, CancellationToken.None);
        int? exit = await next.StopAsync(s_limit);
        next.Dispose();
        Assert.Equal(0, exit);
        Assert.Contains("left by a run that was killed", next.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(data, "*.restoring", SearchOption.AllDirectories));
        Assert.False(Directory.Exists(Path.Combine(data, "copy")), "The killed restore's database folder is still there.");
    }

    [Fact(Timeout = 180_000)]
    public async Task A_killed_backup_s_partial_stripes_are_removed_by_the_next_backup_into_the_same_directory()
    {
        using var temp = new TempDirectory();
        string data = temp.Combine("data");
        string socket = temp.Combine("e.sock");
        string target = temp.Combine("backups");
        SampleDatabase.Create(data, "sales", 8 << 20, seed: 3);
        var engine = await EngineProcess.StartAsync(data, socket, s_startLimit, CancellationToken.None);
        try
        {
            using (var killed = Process.Start(Redirected(ThisExecutable.Start("backup", "--database", "sales", "--to", target, "--devices", "2", "--socket", socket, "--faults", "delay=200ms")))!)
            {
                await Until(() => Directory.Exists(target) && Directory.EnumerateFiles(target, ".stripe-*.partial").Count() == 2, "the backup began writing its stripes");
                killed.Kill();
                await killed.WaitForExitAsync().WaitAsync(s_limit);
            }

            Assert.Equal(2, Directory.EnumerateFiles(target, ".stripe-*.partial").Count());
            var next = await RunAsync("backup", "--database", "sales", "--to", target, "--devices", "2", "--socket", socket);

            Assert.True(next.Code == 0, next.Error);
            Assert.Equal(2, next.Output.Split('\n').Count(l => l.Contains("left by an earlier run that was killed", StringComparison.Ordinal)));
            Assert.Equal(["stripe-01.bak", "stripe-02.bak"], temp.Files(target));
        }
        finally
        {
            await engine.StopAsync(s_limit);
            engine.Dispose();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_second_daemon_on_a_data_directory_another_one_serves_exits_naming_it()
    {
        using var temp = new TempDirectory();
        string data = temp.Combine("data");
        var first = await EngineProcess.StartAsync(data, temp.Combine("one.sock"), s_startLimit, CancellationToken.None);
        try
        {
            var e = await Assert.ThrowsAsync<IOException>(() => EngineProcess.StartAsync(data, temp.Combine("two.sock"), s_startLimit, CancellationToken.None));

            Assert.Contains("exited with code 1", e.Message, StringComparison.Ordinal);
            Assert.Contains($"Another engine (pid {first.ProcessId}) already serves the data directory", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            await first.StopAsync(s_limit);
            first.Dispose();
        }
    }

    private static ProcessStartInfo Redirected(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        return start;
    }

    /// <summary>Polls the file system until <paramref name="condition"/> holds: what is waited for is the thing itself.</summary>
    private static async Task Until(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < s_limit, $"Timed out waiting until {what}.");
            await Task.Delay(10);
        }
    }

    private static Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => Vdi.RunAsync(args);
}
