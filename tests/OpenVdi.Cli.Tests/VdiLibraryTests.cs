using OpenVdi.Cli.Client;
using OpenVdi.Cli.Tests.Infrastructure;
using OpenVdi.Engine.Databases;

namespace OpenVdi.Cli.Tests;

/// <summary>
/// <c>--vdi-library microsoft</c>: the tool's sets made by a libsqlvdi.so, as against a real SQL Server. Here the
/// library is OpenVdi's drop-in (published as docs/sqlvdi.md says) and the server is the engine daemon, so the whole
/// path runs: the tool (a process of its own, finding the library by LD_LIBRARY_PATH) through Microsoft's ABI to the
/// engine and back, byte for byte.
/// </summary>
public sealed class VdiLibraryTests(DropInFixture dropIn) : IClassFixture<DropInFixture>
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(120);

    [Fact(Timeout = 600_000)]
    public async Task Backup_and_restore_through_the_drop_in_libsqlvdi_give_back_the_same_bytes()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        var original = SampleDatabase.Create(daemon.Data, "sales", (6 << 20) + 8192, seed: 31);
        string backup = daemon.Temp.Combine("b");
        var environment = new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = Path.GetDirectoryName(dropIn.Library)! };

        var backedUp = await RunAsync(environment, "backup", "-d", "sales", "--to", backup, "--devices", "3", "--vdi-library", "microsoft", "--socket", daemon.Socket);
        var restored = await RunAsync(environment, "restore", "--from", backup, "-d", "sales_copy", "--vdi-library", "microsoft", "--socket", daemon.Socket);

        Assert.True(backedUp.Code == 0, $"backup exit {backedUp.Code}: {backedUp.Error}\n{daemon.Output}");
        Assert.True(restored.Code == 0, $"restore exit {restored.Code}: {restored.Error}\n{daemon.Output}");
        Assert.Equal(3, Directory.GetFiles(backup, "stripe-*.bak").Length);
        var (bytes, difference) = FileComparison.Compare(original, new DatabaseCatalogue(daemon.Data).Get("sales_copy"));
        Assert.Null(difference);
        Assert.Equal((6 << 20) + 8192, bytes);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_library_that_cannot_be_loaded_fails_the_backup_with_every_attempt_named_and_leaves_nothing()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        SampleDatabase.Create(daemon.Data, "sales", 1 << 20, seed: 32);
        string backup = daemon.Temp.Combine("b");
        string missing = daemon.Temp.Combine("nowhere", "libsqlvdi.so");

        var (code, _, error) = await RunAsync(new Dictionary<string, string>(), "backup", "-d", "sales", "--to", backup, "--vdi-library", "microsoft", "--sqlvdi-library", missing, "--socket", daemon.Socket);

        Assert.Equal(1, code);
        Assert.Contains(missing, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(backup) && Directory.EnumerateFileSystemEntries(backup).Any(), "The failed backup left files behind.");
    }

    [Theory]
    [InlineData("--vdi-library takes openvdi or microsoft, not 'sybase'", "--vdi-library", "sybase")]
    [InlineData("--sqlvdi-library needs --vdi-library microsoft", "--sqlvdi-library", "/opt/mssql/lib/libsqlvdi.so")]
    public void Library_options_that_cannot_work_are_usage_errors(string expected, params string[] options)
    {
        var (code, _, error) = Vdi.Run(["verify", "--from", Path.GetTempPath(), .. options]);

        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    /// <summary>The tool as its own process, so that the dynamic loader sees <paramref name="environment"/>.</summary>
    private static async Task<(int Code, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var tool = ToolProcess.Start(environment, args);
        int code;
        try
        {
            code = await tool.ExitAsync(s_limit);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"vdi {args[0]} did not end within {s_limit.TotalSeconds} s: {tool.Output}\n{tool.Error}");
            throw;
        }

        return (code, tool.Output, tool.Error);
    }
}
