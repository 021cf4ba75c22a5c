using OpenVdi.Cli.CommandLine;

namespace OpenVdi.Cli.Commands;

/// <summary><c>vdi engine serve|create-sample</c>: the engine's own commands, each a command of its own.</summary>
internal sealed class EngineCommand : ICliCommand
{
    private readonly ICliCommand[] _subcommands = [new EngineServeCommand(), new EngineCreateSampleCommand()];

    public string Name => "engine";

    public string Summary => "Run the engine daemon (engine serve) or make a sample database (engine create-sample)";

    public string Usage => string.Join("\n\n", _subcommands.Select(c => c.Usage.TrimEnd()));

    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (args.Count == 0)
        {
            throw new UsageException("which one: 'vdi engine serve' or 'vdi engine create-sample'?");
        }

        var subcommand = _subcommands.FirstOrDefault(c => c.Name == $"engine {args[0]}")
            ?? throw new UsageException($"unknown engine command '{args[0]}'");
        var rest = args.Skip(1).ToArray();
        if (rest.Length > 0 && rest[0] is "--help" or "-h")
        {
            output.WriteLine(subcommand.Usage.TrimEnd());
            return 0;
        }

        try
        {
            return subcommand.Run(rest, output, error);
        }
        catch (UsageException e)
        {
            error.WriteLine($"vdi {subcommand.Name}: {e.Message}");
            error.WriteLine(subcommand.Usage.TrimEnd());
            return CommandDispatcher.UsageExitCode;
        }
    }
}
