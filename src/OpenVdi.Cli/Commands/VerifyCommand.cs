using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Engine.Faults;

namespace OpenVdi.Cli.Commands;

/// <summary><c>vdi verify</c>: RESTORE VERIFYONLY from a directory of stripe files.</summary>
internal sealed class VerifyCommand : ICliCommand
{
    public string Name => "verify";

    public string Summary => "Check a backup's stripe files with RESTORE VERIFYONLY";

    public string Usage => """
        Usage: vdi verify --from DIR [--socket PATH | --server CONN] [--stats N] [--faults SPEC]

        Sends RESTORE VERIFYONLY FROM VIRTUAL_DEVICE = ... (one device per stripe file in DIR): the engine reads the
        whole backup and checks it, writing nothing. Exit code 0 only when the backup set is valid.

        Options:
          --from DIR      the backup directory (stripe-NN.bak files)
          --socket PATH   the engine daemon's socket (default as 'vdi engine serve')
          --server CONN   send the statement over TDS to SQL Server (or 'vdi engine serve --tds'):
                          a connection string, e.g. "Server=host,1433;User Id=u;Password=p;TrustServerCertificate=true"
          --stats N       progress every N percent, 0 for none (default 10)
          --faults SPEC   faults for the engine to inject into this statement's devices, e.g.
                          flush-every=1MiB,delay=2ms (composable; the list is in docs/engine.md)
        """;

    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        string? directory = null;
        string? socket = null;
        string? server = null;
        int stats = 10;
        FaultPlan? faults = null;
        var options = new OptionReader(args);
        while (options.Next() is { } option)
        {
            switch (option)
            {
                case "--from": directory = options.Value(option); break;
                case "--socket": socket = options.Value(option); break;
                case "--server": server = options.Value(option); break;
                case "--stats": stats = (int)options.Number(option, 0, 100); break;
                case "--faults": faults = FaultOption.Parse(option, options.Value(option)); break;
                default: throw new UsageException($"unknown option {option}");
            }
        }

        if (directory is null)
        {
            throw new UsageException("--from is required");
        }

        return ClientRun.Execute(socket, "VERIFYONLY", output, error, (application, cancel) =>
            application.VerifyAsync(directory, stats == 0 ? null : stats, cancel), faults, server);
    }
}
