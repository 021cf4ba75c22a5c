using OpenVdi.Bench.Peer;
using OpenVdi.Cli.CommandLine;

namespace OpenVdi.Cli.Commands;

/// <summary><c>vdi bench-peer</c>: the second process of <c>vdi bench</c> (producer and server side), not for people.</summary>
internal sealed class BenchPeerCommand : ICliCommand
{
    public const string CommandName = "bench-peer";

    public string Name => CommandName;

    public string Summary => "The second process of 'vdi bench'";

    public string Usage => """
        Usage: vdi bench-peer --source BYTES

        Started by 'vdi bench': reads its requests on standard input and answers on standard output.
        """;

    public bool IsHidden => true;

    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        int source = 0;
        var options = new OptionReader(args);
        while (options.Next() is { } option)
        {
            source = option == "--source"
                ? (int)options.Number(option, 4 << 20, 1 << 30)
                : throw new UsageException($"unknown option {option}");
        }

        return source == 0 ? throw new UsageException("--source is required") : PeerService.Run(Console.In, output, source);
    }
}
