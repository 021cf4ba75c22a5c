using OpenVdi.Cli.Client;
using OpenVdi.Cli.Output;
using OpenVdi.Cli.Tests.Infrastructure;

namespace OpenVdi.Cli.Tests;

/// <summary>The progress display: bytes, rate and time left; a bar for a terminal, a plain line for a log, nothing when quiet.</summary>
public sealed class ProgressTests
{
    private static readonly TransferProgress s_halfway = new("backup", 3L << 30, 6L << 30, TotalIsEstimate: true, 0.5, 250e6, TimeSpan.FromSeconds(12.9), TimeSpan.FromSeconds(75));

    [Fact]
    public void A_bar_shows_the_fraction_bytes_rate_and_time_left_within_the_width()
    {
        string bar = ProgressText.Bar(s_halfway, 100);

        Assert.StartsWith("backup  [", bar, StringComparison.Ordinal);
        Assert.Contains("####################--------------------]", bar, StringComparison.Ordinal);
        Assert.EndsWith(" 50%  3 GiB of ~6 GiB  " + ByteSize.Rate(3L << 30, TimeSpan.FromSeconds(12.9)) + "  1:15 left", bar, StringComparison.Ordinal);
        Assert.True(bar.Length <= 100);
        Assert.True(ProgressText.Bar(s_halfway, 40).Length <= 40);
    }

    [Fact]
    public void A_plain_line_says_the_same_in_words_and_no_total_means_no_percent_and_no_time_left()
    {
        var unknown = s_halfway with { TotalBytes = null, Fraction = null, Remaining = null };

        Assert.Equal($"backup:  50%, 3 GiB of ~6 GiB, {ByteSize.Rate(3L << 30, TimeSpan.FromSeconds(12.9))}, 1:15 left", ProgressText.Line(s_halfway));
        Assert.Equal($"backup: 3 GiB, {ByteSize.Rate(3L << 30, TimeSpan.FromSeconds(12.9))}", ProgressText.Line(unknown));
    }

    [Fact]
    public void The_total_of_a_backup_is_estimated_from_the_engines_percent()
    {
        long bytes = 0;
        var monitor = new TransferMonitor("backup", () => bytes);
        Assert.Null(monitor.Sample().TotalBytes);

        bytes = 250;
        monitor.ReportPercent(25);
        bytes = 500;
        var sample = monitor.Sample();

        Assert.Equal(1000, sample.TotalBytes);
        Assert.True(sample.TotalIsEstimate);
        Assert.Equal(0.5, sample.Fraction);
    }

    [Fact(Timeout = 120_000)]
    public async Task Quiet_output_says_nothing_of_a_backup_that_succeeds_and_only_the_error_of_one_that_fails()
    {
        using var temp = new TempDirectory();
        var output = new StringWriter();
        var error = new StringWriter();
        using var quiet = new HumanOutput("backup", new CliTerminal(output, error, ErrorIsTerminal: true), quiet: true);
        var good = new BackupApplication(new StreamingEngine(), quiet) { Observer = quiet };
        var bad = new BackupApplication(new StreamingEngine { Failure = StreamingEngine.Fault.AfterStreaming }, quiet) { Observer = quiet };

        var succeeded = await good.BackupAsync(new BackupRequest { Database = "db", Directory = temp.Combine("a"), Devices = 2 }, CancellationToken.None);
        Assert.True(succeeded.Succeeded, succeeded.Reason);
        Assert.Equal(string.Empty, output.ToString() + error.ToString());

        await bad.BackupAsync(new BackupRequest { Database = "db", Directory = temp.Combine("b") }, CancellationToken.None);
        Assert.Empty(output.ToString());
        Assert.Contains("Msg 3189", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("\r", error.ToString(), StringComparison.Ordinal);
    }
}
