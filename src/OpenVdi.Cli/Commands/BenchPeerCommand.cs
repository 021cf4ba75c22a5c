using System.CommandLine;
using OpenVdi.Bench.Peer;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Cli.Output;

namespace OpenVdi.Cli.Commands;

/// <summary><c>vdi bench-peer</c>: the second process of <c>vdi bench</c> (producer and server side), hidden: not for people.</summary>
internal static class BenchPeerCommand
{
    public const string CommandName = "bench-peer";

    public static Command Create(CliTerminal terminal)
    {
        var source = new Option<int>("--source")
        {
            Description = "The source's size in bytes",
            Required = true,
            CustomParser = result => CommonOptions.Number(result, 4 << 20, 1 << 30),
        };
        var command = new Command(CommandName, "The second process of 'vdi bench': reads its requests on standard input, answers on standard output") { source };
        command.Hidden = true;
        command.SetAction(parse => PeerService.Run(Console.In, terminal.Output, parse.GetValue(source)));
        return command;
    }
}
