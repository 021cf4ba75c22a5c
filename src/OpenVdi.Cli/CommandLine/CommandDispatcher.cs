using OpenVdi.Cli.Commands;

namespace OpenVdi.Cli.CommandLine;

/// <summary>
/// <c>vdi &lt;command&gt; [options]</c>: finds the command by its name and runs it. <c>vdi</c>, <c>vdi --help</c> and
/// <c>vdi help</c> list the commands; <c>vdi help &lt;command&gt;</c> and <c>vdi &lt;command&gt; --help</c> print one
/// command's usage. A new command is a class implementing <see cref="ICliCommand"/>, added to <see cref="Default"/>.
/// </summary>
internal sealed class CommandDispatcher
{
    /// <summary>Exit code for a command line that cannot run.</summary>
    public const int UsageExitCode = 2;

    private readonly IReadOnlyList<ICliCommand> _commands;

    public CommandDispatcher(IReadOnlyList<ICliCommand> commands) => _commands = commands;

    /// <summary>Every command of <c>vdi</c>.</summary>
    public static CommandDispatcher Default { get; } = new(
    [
        new DemoCommand(),
        new BackupCommand(),
        new RestoreCommand(),
        new VerifyCommand(),
        new HeaderOnlyCommand(),
        new EngineCommand(),
        new BenchCommand(),
        new BenchPeerCommand(),
    ]);

    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (args.Count == 0)
        {
            WriteHelp(error);
            return UsageExitCode;
        }

        if (args[0] is "--help" or "-h" || (args[0] == "help" && args.Count == 1))
        {
            WriteHelp(output);
            return 0;
        }

        if (args[0] == "help")
        {
            return Find(args[1]) is { } topic ? WriteUsage(topic, output, 0) : Unknown(args[1], error);
        }

        var command = Find(args[0]);
        if (command is null)
        {
            return Unknown(args[0], error);
        }

        var rest = args.Skip(1).ToArray();
        if (rest.Length > 0 && rest[0] is "--help" or "-h")
        {
            return WriteUsage(command, output, 0);
        }

        try
        {
            return command.Run(rest, output, error);
        }
        catch (UsageException e)
        {
            error.WriteLine($"vdi {command.Name}: {e.Message}");
            return WriteUsage(command, error, UsageExitCode);
        }
    }

    private ICliCommand? Find(string name) => _commands.FirstOrDefault(c => c.Name == name);

    private static int Unknown(string name, TextWriter error)
    {
        error.WriteLine($"vdi: unknown command '{name}'. Run 'vdi --help' for the list.");
        return UsageExitCode;
    }

    private void WriteHelp(TextWriter output)
    {
        output.WriteLine("vdi: SQL Server's Virtual Device Interface over OpenVdi's shared-memory transport.");
        output.WriteLine();
        output.WriteLine("Usage: vdi <command> [options]");
        output.WriteLine();
        output.WriteLine("Commands:");
        var visible = _commands.Where(c => !c.IsHidden).ToList();
        int width = visible.Max(c => c.Name.Length);
        foreach (var command in visible)
        {
            output.WriteLine($"  {command.Name.PadRight(width)}  {command.Summary}");
        }

        output.WriteLine();
        output.WriteLine("Run 'vdi <command> --help' for a command's options.");
    }

    private static int WriteUsage(ICliCommand command, TextWriter output, int exitCode)
    {
        output.WriteLine(command.Usage.TrimEnd());
        return exitCode;
    }
}
