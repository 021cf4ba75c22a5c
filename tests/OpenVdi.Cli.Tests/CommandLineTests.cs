using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Cli.Commands;
using OpenVdi.Cli.Tests.Infrastructure;

namespace OpenVdi.Cli.Tests;

/// <summary>The command line: help, usage errors, sizes, and the client commands' exit codes.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public void Help_lists_every_command()
    {
        var (code, output, _) = Run("--help");

        Assert.Equal(0, code);
        foreach (string command in (string[])["demo", "backup", "restore", "verify", "headeronly", "engine"])
        {
            Assert.Contains($"  {command} ", output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("backup --database db", "--database and --to are required")]
    [InlineData("backup --database db --to d --devices 65", "--devices takes a whole number from 1 to 64")]
    [InlineData("backup --database db --to d --blocksize 1MiB", "--blocksize must be a whole number of bytes from 512 B to 64 KiB")]
    [InlineData("restore --from d --database db --move nothing", "--move takes LOGICAL=PATH")]
    [InlineData("engine start", "unknown engine command 'start'")]
    [InlineData("engine create-sample --name .hidden", "not a valid database name")]
    public void A_wrong_command_line_exits_2_with_the_reason(string line, string reason)
    {
        var (code, _, error) = Run(line.Split(' '));

        Assert.Equal(CommandDispatcher.UsageExitCode, code);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_backup_without_an_engine_exits_1_and_says_how_to_start_one()
    {
        using var temp = new TempDirectory();

        var (code, _, error) = Run("backup", "--database", "db", "--to", temp.Combine("b"), "--socket", temp.Combine("none.sock"));

        Assert.Equal(1, code);
        Assert.Contains("vdi engine serve", error, StringComparison.Ordinal);
        Assert.Empty(temp.Files());
    }

    [Fact]
    public void Engine_create_sample_makes_a_database_in_the_data_directory()
    {
        using var temp = new TempDirectory();

        var (code, output, _) = Run("engine", "create-sample", "--name", "tiny", "--size", "1.5MiB", "--data", temp.Path);

        Assert.Equal(0, code);
        Assert.Contains("created database 'tiny'", output, StringComparison.Ordinal);
        Assert.True(new Engine.Databases.DatabaseCatalogue(temp.Path).Exists("tiny"));
    }

    [Theory]
    [InlineData("4096", 4096L)]
    [InlineData("64KiB", 65536L)]
    [InlineData("64k", 65536L)]
    [InlineData("1.5 GiB", 1610612736L)]
    [InlineData("256MiB", 268435456L)]
    [InlineData("2T", 2199023255552L)]
    public void Sizes_take_binary_suffixes(string text, long bytes) =>
        Assert.Equal(bytes, ByteSize.Parse("--size", text));

    [Theory]
    [InlineData("lots")]
    [InlineData("1.5")]
    [InlineData("-1")]
    [InlineData("10GB")]
    public void Sizes_that_are_not_whole_bytes_are_refused(string text) =>
        Assert.Throws<UsageException>(() => ByteSize.Parse("--size", text));

    [Fact]
    public void A_move_path_is_made_absolute_for_the_daemon()
    {
        var (logical, path) = RestoreCommand.ParseMove("sales=relative/sales.mdf");

        Assert.Equal("sales", logical);
        Assert.Equal(Path.GetFullPath("relative/sales.mdf"), path);
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CommandDispatcher.Default.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
