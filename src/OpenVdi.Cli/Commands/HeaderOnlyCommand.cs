using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Engine.Faults;

namespace OpenVdi.Cli.Commands;

/// <summary><c>vdi headeronly</c>: RESTORE HEADERONLY from a directory of stripe files, printing the result set.</summary>
internal sealed class HeaderOnlyCommand : ICliCommand
{
    public string Name => "headeronly";

    public string Summary => "List the backup set in stripe files with RESTORE HEADERONLY";

    public string Usage => """
        Usage: vdi headeronly --from DIR [--socket PATH | --server CONN] [--faults SPEC]

        Sends RESTORE HEADERONLY FROM VIRTUAL_DEVICE = ... (one device per stripe file in DIR) and prints the result
        set the engine returns: database, backup type, dates, sizes, block size…

        Options:
          --from DIR      the backup directory (stripe-NN.bak files)
          --socket PATH   the engine daemon's socket (default as 'vdi engine serve')
          --server CONN   send the statement over TDS to SQL Server (or 'vdi engine serve --tds'):
                          a connection string, e.g. "Server=host,1433;User Id=u;Password=p;TrustServerCertificate=true"
          --faults SPEC   faults for the engine to inject into this statement's devices, e.g.
                          delay=2ms,unsupported=VDC_GetPosition (composable; the list is in docs/engine.md)
        """;

    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        string? directory = null;
        string? socket = null;
        string? server = null;
        FaultPlan? faults = null;
        var options = new OptionReader(args);
        while (options.Next() is { } option)
        {
            switch (option)
            {
                case "--from": directory = options.Value(option); break;
                case "--socket": socket = options.Value(option); break;
                case "--server": server = options.Value(option); break;
                case "--faults": faults = FaultOption.Parse(option, options.Value(option)); break;
                default: throw new UsageException($"unknown option {option}");
            }
        }

        if (directory is null)
        {
            throw new UsageException("--from is required");
        }

        return ClientRun.Execute(socket, "HEADERONLY", output, error, (application, cancel) =>
            application.HeaderOnlyAsync(directory, cancel), faults, server);
    }
}
