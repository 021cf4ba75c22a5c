using OpenVdi.Cli.Commands;
using OpenVdi.Cli.Tests.Infrastructure;

namespace OpenVdi.Cli.Tests;

/// <summary>The command line as a user meets it: help anywhere, --version, --opt=value, response files, usage errors in one line with exit code 2.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public void Help_lists_every_command_and_the_exit_codes()
    {
        var (code, output, _) = Vdi.Run("--help");

        Assert.Equal(0, code);
        foreach (string command in (string[])["demo", "backup", "restore", "verify", "headeronly", "filelistonly", "labelonly", "engine", "bench", "completion"])
        {
            Assert.Contains($"  {command} ", output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("bench-peer", output, StringComparison.Ordinal);
        Assert.Contains("Exit codes:", output, StringComparison.Ordinal);
        foreach (string line in (string[])["  0    success", "  1    ", "  2    usage error", "  3    the engine could not be reached", "  130  cancelled by SIGINT", "  143  cancelled by SIGTERM"])
        {
            Assert.Contains(line, output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("backup", "--database", "x", "--help")]
    [InlineData("backup", "--help", "--database", "x")]
    [InlineData("backup", "-h")]
    [InlineData("engine", "drop", "-h")]
    public void Help_comes_from_anywhere_on_the_line_even_with_required_options_missing(params string[] args)
    {
        var (code, output, error) = Vdi.Run(args);

        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        Assert.Contains("Exit codes:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_backup_help_lists_every_backup_option()
    {
        var (_, output, _) = Vdi.Run("backup", "--help");

        foreach (string option in (string[])["--database", "--to", "--devices", "--type", "--copy-only", "--checksum", "--no-checksum", "--blocksize", "--maxtransfersize", "--buffercount", "--stats", "--timeout", "--faults", "--socket", "--json", "--quiet"])
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Version_is_the_packages_version()
    {
        var (code, output, _) = Vdi.Run("--version");

        Assert.Equal(0, code);
        Assert.Equal(Engine.FrontDoor.EngineStatus.ThisVersion, output.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$", output.Trim());
    }

    [Theory]
    [InlineData("backup --database db", "Option '--to' is required")]
    [InlineData("backup --database db --to d --devices 65", "--devices takes a whole number from 1 to 64, not '65'")]
    [InlineData("backup --database db --to d --blocksize 1MiB", "--blocksize must be a whole number of bytes from 512 B to 64 KiB, not '1MiB'")]
    [InlineData("backup --database db --to d --blocksize 3000", "--blocksize must be a power of two, not 3000")]
    [InlineData("backup --database db --to d --type weekly", "--type takes full, differential or log, not 'weekly'")]
    [InlineData("backup --database db --to d --timeout soon", "--timeout takes a duration such as 500ms, 5s, 2m or 1h, not 'soon'")]
    [InlineData("backup --database db --to d --checksum --no-checksum", "--checksum and --no-checksum exclude each other")]
    [InlineData("backup --database db --to d --bogus", "Unrecognized command or argument '--bogus'")]
    [InlineData("restore --from / --database db --move nothing", "--move takes LOGICAL=PATH, not 'nothing'")]
    [InlineData("restore --from /no/such/dir --database db", "--from '/no/such/dir' does not exist")]
    [InlineData("engine start", "Unrecognized command or argument 'start'")]
    [InlineData("engine create-sample --name .hidden", "--name '.hidden' is not a valid database name")]
    [InlineData("engine create-sample --name x --size 10GB", "--size takes a size such as 4096, 64KiB, 256MiB or 1GiB, not '10GB'")]
    [InlineData("engine serve --log-level loud", "--log-level takes trace, debug, info, warn or error, not 'loud'")]
    [InlineData("completion fish", "completion takes bash or zsh, not 'fish'")]
    public void A_wrong_command_line_is_one_line_naming_the_option_and_exit_code_2(string line, string reason)
    {
        var (code, output, error) = Vdi.Run(line.Split(' '));

        Assert.Equal(2, code);
        Assert.Empty(output);
        string only = Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains(reason, only, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_path_and_a_file_where_a_directory_is_wanted_are_usage_errors_that_say_so()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("file"), "x");

        var empty = Vdi.Run("backup", "--database", "db", "--to", string.Empty);
        var file = Vdi.Run("backup", "--database", "db", "--to", temp.Combine("file"));
        var from = Vdi.Run("verify", "--from", temp.Combine("file"));

        Assert.Equal((2, "vdi backup: --to needs a directory, not an empty path (see 'vdi backup --help')"), (empty.Code, empty.Error.Trim()));
        Assert.Equal(2, file.Code);
        Assert.Contains($"--to '{temp.Combine("file")}' is a file; it needs a directory", file.Error, StringComparison.Ordinal);
        Assert.Equal(2, from.Code);
        Assert.Contains("is a file; it needs a directory", from.Error, StringComparison.Ordinal);
        Assert.Equal(["file"], temp.Files());
    }

    [Fact]
    public void Options_take_equals_signs_and_response_files()
    {
        using var temp = new TempDirectory();
        File.WriteAllLines(temp.Combine("args.rsp"), ["--name=tiny", "--size", "1.5MiB", $"--data={temp.Combine("data")}"]);

        var (code, output, error) = Vdi.Run("engine", "create-sample", $"@{temp.Combine("args.rsp")}");

        Assert.True(code == 0, error);
        Assert.Contains("created database 'tiny'", output, StringComparison.Ordinal);
        Assert.True(new Engine.Databases.DatabaseCatalogue(temp.Combine("data")).Exists("tiny"));
    }

    [Fact]
    public void A_backup_without_an_engine_exits_3_says_how_to_start_one_and_leaves_nothing()
    {
        using var temp = new TempDirectory();

        var (code, _, error) = Vdi.Run("backup", "--database", "db", "--to", temp.Combine("b"), "--socket", temp.Combine("none.sock"));

        Assert.Equal(3, code);
        Assert.Contains("vdi engine serve", error, StringComparison.Ordinal);
        Assert.Empty(temp.Files());
        Assert.False(Directory.Exists(temp.Combine("b")));
    }

    [Theory]
    [InlineData("engine", "status")]
    [InlineData("engine", "list")]
    [InlineData("engine", "drop", "--name", "x")]
    public void Every_engine_request_without_an_engine_exits_3(params string[] args)
    {
        using var temp = new TempDirectory();

        var (code, _, error) = Vdi.Run([.. args, "--socket", temp.Combine("none.sock")]);

        Assert.Equal(3, code);
        Assert.Contains("No OpenVdi engine is listening", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Engine_create_sample_makes_a_database_in_the_data_directory()
    {
        using var temp = new TempDirectory();

        var (code, output, _) = Vdi.Run("engine", "create-sample", "--name", "tiny", "--size", "1.5MiB", "--data", temp.Path);

        Assert.Equal(0, code);
        Assert.Contains("created database 'tiny'", output, StringComparison.Ordinal);
        Assert.True(new Engine.Databases.DatabaseCatalogue(temp.Path).Exists("tiny"));
    }

    [Fact]
    public void Engine_create_sample_of_an_existing_name_exits_1_with_the_reason()
    {
        using var temp = new TempDirectory();
        Assert.Equal(0, Vdi.Run("engine", "create-sample", "--name", "tiny", "--size", "1MiB", "--data", temp.Path).Code);

        var (code, _, error) = Vdi.Run("engine", "create-sample", "--name", "tiny", "--size", "1MiB", "--data", temp.Path);

        Assert.Equal(1, code);
        Assert.Equal("vdi engine create-sample: Database 'tiny' already exists.", error.Trim());
    }

    [Fact]
    public void A_move_path_is_made_absolute_for_the_daemon()
    {
        var parse = new CommandLine.VdiCommandLine(new Output.CliTerminal(TextWriter.Null, TextWriter.Null)).Root.Parse(["restore", "--from", "/", "--database", "x", "--move", "sales=relative/sales.mdf"]);

        var move = Assert.Single(parse.GetValue(RestoreCommand.Move)!);

        Assert.Equal(("sales", Path.GetFullPath("relative/sales.mdf")), move);
    }

    [Fact]
    public void Tab_completion_offers_the_commands_and_the_values_of_an_option()
    {
        var (code, output, _) = Vdi.Run("[suggest:8]", "vdi engi");
        var types = Vdi.Run("[suggest:22]", "vdi backup --type diff");

        Assert.Equal(0, code);
        Assert.Contains("engine", output.Split('\n').Select(l => l.Trim()));
        Assert.Contains("differential", types.Output.Split('\n').Select(l => l.Trim()));
    }
}
