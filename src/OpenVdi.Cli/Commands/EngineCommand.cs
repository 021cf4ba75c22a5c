using System.CommandLine;
using OpenVdi.Cli.Output;

namespace OpenVdi.Cli.Commands;

/// <summary><c>vdi engine …</c>: the engine's own commands, each a command of its own.</summary>
internal static class EngineCommand
{
    public static Command Create(CliTerminal terminal) => new("engine", "The engine: run its daemon, ask how it is, manage its databases")
    {
        EngineServeCommand.Create(terminal),
        EngineAdministrationCommands.Status(terminal),
        EngineAdministrationCommands.List(terminal),
        EngineAdministrationCommands.Drop(terminal),
        EngineDatabaseCommands.CreateSample(terminal),
        EngineDatabaseCommands.Register(terminal),
    };
}
