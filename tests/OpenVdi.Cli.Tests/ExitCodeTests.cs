using System.Text.Json;
using OpenVdi.Cli.Client;
using OpenVdi.Cli.Tests.Infrastructure;
using OpenVdi.Engine.Databases;

namespace OpenVdi.Cli.Tests;

/// <summary>
/// Each exit code, from the real tool in a process of its own: 0 success, 1 a failed statement, 2 a usage error,
/// 3 no engine, 130 SIGINT and 143 SIGTERM (a cancelled backup keeps nothing).
/// </summary>
public sealed class ExitCodeTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(90);

    [Fact(Timeout = 120_000)]
    public async Task Success_a_failed_statement_a_usage_error_and_no_engine_exit_0_1_2_and_3()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        SampleDatabase.Create(daemon.Data, "sales", 1 << 20, seed: 31);

        using var success = ToolProcess.Start("backup", "-d", "sales", "--to", daemon.Temp.Combine("ok"), "--socket", daemon.Socket);
        using var failed = ToolProcess.Start("backup", "-d", "nosuch", "--to", daemon.Temp.Combine("no"), "--socket", daemon.Socket);
        using var usage = ToolProcess.Start("backup", "-d", "sales");
        using var unreachable = ToolProcess.Start("backup", "-d", "sales", "--to", daemon.Temp.Combine("un"), "--socket", daemon.Temp.Combine("none.sock"));

        Assert.Equal(0, await success.ExitAsync(s_limit));
        Assert.Equal(1, await failed.ExitAsync(s_limit));
        Assert.Contains("Msg 911", failed.Error, StringComparison.Ordinal);
        Assert.Equal(2, await usage.ExitAsync(s_limit));
        Assert.Equal("vdi backup: Option '--to' is required (see 'vdi backup --help')", usage.Error.Trim());
        Assert.Equal(3, await unreachable.ExitAsync(s_limit));
    }

    [Theory(Timeout = 120_000)]
    [InlineData(2, 130)]
    [InlineData(15, 143)]
    public async Task A_signal_cancels_the_backup_exits_128_plus_its_number_and_keeps_nothing(int signal, int exitCode)
    {
        await using var daemon = await DaemonProcess.StartAsync();
        SampleDatabase.Create(daemon.Data, "sales", 4 << 20, seed: 32);
        string backup = daemon.Temp.Combine("b");

        // A slow engine (a pause before every command) keeps the backup running until the signal.
        using var tool = ToolProcess.Start("backup", "-d", "sales", "--to", backup, "--stats", "1", "--maxtransfersize", "64KiB", "--faults", "delay=20ms", "--json", "--socket", daemon.Socket);
        await tool.LineAsync(line => line.Contains("\"number\":3211", StringComparison.Ordinal)).WaitAsync(s_limit);
        Assert.True(UnixCalls.Signal(tool.Id, signal), "The signal could not be sent.");

        Assert.Equal(exitCode, await tool.ExitAsync(s_limit));
        using var last = JsonDocument.Parse(tool.Lines[^1]);
        Assert.Equal("result", last.RootElement.GetProperty("type").GetString());
        Assert.Equal(exitCode, last.RootElement.GetProperty("exitCode").GetInt32());
        Assert.Equal("cancelled", last.RootElement.GetProperty("error").GetProperty("kind").GetString());
        Assert.False(Directory.Exists(backup), "The cancelled backup left its directory behind.");
    }
}
