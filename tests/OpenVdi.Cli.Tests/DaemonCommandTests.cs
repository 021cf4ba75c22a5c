using System.Text.Json;
using OpenVdi.Cli.Client;
using OpenVdi.Cli.Tests.Infrastructure;
using OpenVdi.Engine.Databases;

namespace OpenVdi.Cli.Tests;

/// <summary>The tool against the real daemon in its own process: every backup kind, the restore chain, the engine's own commands, damage and stalls.</summary>
public sealed class DaemonCommandTests
{
    [Fact(Timeout = 180_000)]
    public async Task A_full_a_differential_and_a_log_backup_restore_as_a_chain_with_norecovery()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        var original = SampleDatabase.Create(daemon.Data, "sales", 3 << 20, seed: 21);
        string full = daemon.Temp.Combine("full"), diff = daemon.Temp.Combine("diff"), log = daemon.Temp.Combine("log");

        Assert.Equal(0, (await daemon.RunAsync("backup", "-d", "sales", "--to", full, "--devices", "2", "-q")).Code);
        Assert.Equal(0, (await daemon.RunAsync("backup", "-d", "sales", "--to", diff, "--type", "differential", "-q")).Code);
        Assert.Equal(0, (await daemon.RunAsync("backup", "-d", "sales", "--to", log, "--type", "log", "--devices", "3", "-q")).Code);

        var first = await daemon.RunAsync("restore", "--from", full, "-d", "chain", "--norecovery");
        var listed = await daemon.RunAsync("engine", "list");
        var second = await daemon.RunAsync("restore", "--from", diff, "-d", "chain", "--norecovery");
        var last = await daemon.RunAsync("restore", "--from", log, "-d", "chain");

        Assert.True(first.Code == 0, first.Error);
        Assert.Contains("leaving it restoring (NORECOVERY)", first.Output, StringComparison.Ordinal);
        Assert.Matches(@"chain\s+restoring", listed.Output);
        Assert.True(second.Code == 0, second.Error);
        Assert.True(last.Code == 0, last.Error);
        Assert.Contains("RESTORE LOG successfully processed", last.Output, StringComparison.Ordinal);
        var catalogue = new DatabaseCatalogue(daemon.Data);
        Assert.False(catalogue.Get("chain").IsRestoring);
        Assert.Null(FileComparison.Compare(original, catalogue.Get("chain")).Difference);
    }

    [Fact(Timeout = 180_000)]
    public async Task A_log_restore_onto_a_database_that_is_not_restoring_fails_with_3117()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        SampleDatabase.Create(daemon.Data, "sales", 1 << 20, seed: 22);
        string log = daemon.Temp.Combine("log");
        Assert.Equal(0, (await daemon.RunAsync("backup", "-d", "sales", "--to", log, "--type", "log", "-q")).Code);

        var (code, _, error) = await daemon.RunAsync("restore", "--from", log, "-d", "sales");

        Assert.Equal(1, code);
        Assert.Contains("Msg 3117", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 180_000)]
    public async Task Copy_only_and_no_checksum_reach_the_backup_and_restore_checksum_refuses_it()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        SampleDatabase.Create(daemon.Data, "sales", 1 << 20, seed: 23);
        string backup = daemon.Temp.Combine("b");
        Assert.Equal(0, (await daemon.RunAsync("backup", "-d", "sales", "--to", backup, "--copy-only", "--no-checksum", "-q")).Code);

        var header = await daemon.RunAsync("headeronly", "--from", backup, "--json");
        var refused = await daemon.RunAsync("restore", "--from", backup, "-d", "copy", "--checksum");
        var verified = await daemon.RunAsync("verify", "--from", backup, "-q");

        using var rows = JsonDocument.Parse(header.Output.Split('\n').First(l => l.Contains("\"resultSet\"", StringComparison.Ordinal)));
        var row = rows.RootElement.GetProperty("rows")[0];
        Assert.True(row.GetProperty("IsCopyOnly").GetBoolean());
        Assert.False(row.GetProperty("HasBackupChecksums").GetBoolean());
        Assert.Equal(1, refused.Code);
        Assert.Contains("Msg 3187", refused.Error, StringComparison.Ordinal);
        Assert.Equal(0, verified.Code);
    }

    [Fact(Timeout = 180_000)]
    public async Task A_damaged_stripe_is_named_by_its_file_and_offset()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        SampleDatabase.Create(daemon.Data, "sales", 4 << 20, seed: 24);
        string backup = daemon.Temp.Combine("b");
        Assert.Equal(0, (await daemon.RunAsync("backup", "-d", "sales", "--to", backup, "--devices", "3", "-q")).Code);
        string stripe = Path.Combine(backup, "stripe-02.bak");
        byte[] bytes = File.ReadAllBytes(stripe);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(stripe, bytes);

        var (code, _, error) = await daemon.RunAsync("verify", "--from", backup);

        Assert.Equal(1, code);
        Assert.Matches(@"vdi verify: VERIFYONLY failed: Msg 50007: stripe-02\.bak: damaged at offset [0-9]{1,3}(,[0-9]{3})+: ", error);
        Assert.Contains("Msg 3189", error, StringComparison.Ordinal);
        Assert.DoesNotContain("vdi-", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_stalled_engine_fails_the_backup_within_the_timeout_and_leaves_nothing()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        SampleDatabase.Create(daemon.Data, "sales", 8 << 20, seed: 25);
        string backup = daemon.Temp.Combine("b");

        // The timeout also bounds the engine's configuration, which a loaded CI machine once took over 2 s to reach.
        var (code, _, error) = await daemon.RunAsync("backup", "-d", "sales", "--to", backup, "--devices", "2", "--faults", "stall-after=2MiB", "--timeout", "6s");

        Assert.Equal(1, code);
        Assert.True(error.Contains("the engine sent no command", StringComparison.Ordinal), error);
        Assert.Matches(@"BACKUP failed: stripe-0[12]\.bak: the engine sent no command for 6s \(--timeout\); the set was aborted\.", error);
        Assert.False(Directory.Exists(backup), "The stalled backup left its directory behind.");
    }

    [Fact(Timeout = 120_000)]
    public async Task Status_list_and_drop_answer_from_the_daemon()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        SampleDatabase.Create(daemon.Data, "sales", 1 << 20, seed: 26);
        SampleDatabase.Create(daemon.Data, "old", 1 << 20, seed: 27);

        var status = await daemon.RunAsync("engine", "status");
        var dropped = await daemon.RunAsync("engine", "drop", "--name", "old");
        var list = await daemon.RunAsync("engine", "list", "--json");
        var missing = await daemon.RunAsync("engine", "drop", "--name", "old");

        Assert.True(status.Code == 0, status.Error);
        Assert.Contains($"OpenVdi {Engine.FrontDoor.EngineStatus.ThisVersion}", status.Output, StringComparison.Ordinal);
        Assert.Contains($"data       {daemon.Data} (2 databases)", status.Output, StringComparison.Ordinal);
        Assert.Equal(0, dropped.Code);
        using var result = JsonDocument.Parse(list.Output.TrimEnd().Split('\n')[^1]);
        var databases = result.RootElement.GetProperty("databases");
        Assert.Equal("sales", Assert.Single(databases.EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal(1, missing.Code);
        Assert.Contains("Msg 3701", missing.Error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Serve_with_json_logs_events_with_levels_and_ends_with_a_result_on_SIGTERM()
    {
        using var temp = new TempDirectory();
        using var serve = ToolProcess.Start("engine", "serve", "--data", temp.Combine("data"), "--socket", temp.Combine("e.sock"), "--json");
        string listening = await serve.LineAsync(line => line.Contains("listening on", StringComparison.Ordinal)).WaitAsync(TimeSpan.FromSeconds(60));
        var status = await Vdi.RunAsync("engine", "status", "--socket", temp.Combine("e.sock"));
        var drop = await Vdi.RunAsync("engine", "drop", "--name", "nosuch", "--socket", temp.Combine("e.sock"));
        Assert.True(UnixCalls.Signal(serve.Id, 15), "SIGTERM could not be sent.");

        Assert.Equal(0, await serve.ExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, status.Code);
        Assert.Equal(1, drop.Code);
        using (var log = JsonDocument.Parse(listening))
        {
            Assert.Equal("log", log.RootElement.GetProperty("type").GetString());
            Assert.Equal("info", log.RootElement.GetProperty("level").GetString());
        }

        // Everything the daemon logged is out once it exited: the status request as information, the failed drop as a warning.
        Assert.Contains(serve.Lines, line => line.Contains("\"level\":\"info\",\"text\":\"#1 pid ", StringComparison.Ordinal) && line.Contains(": status", StringComparison.Ordinal));
        Assert.Contains(serve.Lines, line => line.Contains("\"level\":\"warn\",\"text\":\"#2 drop failed: Msg 3701", StringComparison.Ordinal));
        using var result = JsonDocument.Parse(serve.Lines[^1]);
        Assert.Equal("result", result.RootElement.GetProperty("type").GetString());
        Assert.True(result.RootElement.GetProperty("succeeded").GetBoolean());
        Assert.False(File.Exists(temp.Combine("e.sock")), "The daemon left its socket behind.");
    }
}
