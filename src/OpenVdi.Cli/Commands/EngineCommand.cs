using OpenVdi.Cli.CommandLine;

namespace OpenVdi.Cli.Commands;

/// <summary><c>vdi engine serve|create-sample|register</c>: the engine's own commands, each a command of its own.</summary>
internal sealed class EngineCommand : ICliCommand
{
    private readonly ICliCommand[] _subcommands = [new EngineServeCommand(), new EngineCreateSampleCommand(), new EngineRegisterCommand()];

    public string Name => "engine";

    public string Summary => "The engine: run its daemon, make a sample database, register files as one (serve|create-sample|register)";

    public string Usage => string.Join("\n\n", _subcommands.Select(c => c.Usage.TrimEnd()));

    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (args.Count == 0)
        {
            throw new UsageException("which one: 'vdi engine serve', 'vdi engine create-sample' or 'vdi engine register'?");
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
