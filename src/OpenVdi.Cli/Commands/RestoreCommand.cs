using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Engine.Faults;

namespace OpenVdi.Cli.Commands;

/// <summary><c>vdi restore</c>: RESTORE DATABASE from a directory of stripe files through virtual devices.</summary>
internal sealed class RestoreCommand : ICliCommand
{
    public string Name => "restore";

    public string Summary => "Restore a database from stripe files through virtual devices";

    public string Usage => """
        Usage: vdi restore --from DIR --database DB [--move LOGICAL=PATH ...] [--replace] [--socket PATH | --server CONN] [--stats N]
                           [--faults SPEC]

        Sends RESTORE DATABASE [DB] FROM VIRTUAL_DEVICE = ... (one device per stripe file in DIR, with the BLOCKSIZE
        and MAXTRANSFERSIZE the backup was written with) and serves each device's reads from its stripe file. The
        engine's messages are printed as they come. Exit code 0 only when the restore succeeded.

        Options:
          --from DIR            the backup directory (stripe-NN.bak files)
          --database DB         the database to restore as (may differ from the one backed up)
          --move LOGICAL=PATH   put the file with that logical name at PATH (repeatable)
          --replace             WITH REPLACE: overwrite an existing database
          --socket PATH         the engine daemon's socket (default as 'vdi engine serve')
          --server CONN         send the statement over TDS to SQL Server (or 'vdi engine serve --tds'):
                                a connection string, e.g. "Server=host,1433;User Id=u;Password=p;TrustServerCertificate=true"
          --stats N             progress every N percent, 0 for none (default 10)
          --faults SPEC         faults for the engine to inject into this statement's devices, e.g.
                                flush-every=1MiB,delay=2ms (composable; the list is in docs/engine.md)
        """;

    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        string? directory = null;
        string? database = null;
        var moves = new List<(string Logical, string Path)>();
        bool replace = false;
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
                case "--database": database = options.Value(option); break;
                case "--move": moves.Add(ParseMove(options.Value(option))); break;
                case "--replace": replace = true; break;
                case "--socket": socket = options.Value(option); break;
                case "--server": server = options.Value(option); break;
                case "--stats": stats = (int)options.Number(option, 0, 100); break;
                case "--faults": faults = FaultOption.Parse(option, options.Value(option)); break;
                default: throw new UsageException($"unknown option {option}");
            }
        }

        if (directory is null || database is null)
        {
            throw new UsageException("--from and --database are required");
        }

        output.WriteLine($"Restoring database '{database}' from {Path.GetFullPath(directory)}.");
        return ClientRun.Execute(socket, "RESTORE", output, error, (application, cancel) =>
            application.RestoreAsync(directory, database, replace, moves, stats == 0 ? null : stats, cancel), faults, server);
    }

    /// <summary><c>logical=path</c>; the path is made absolute here, as the daemon does not share this directory.</summary>
    internal static (string Logical, string Path) ParseMove(string text)
    {
        int equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || equals == text.Length - 1)
        {
            throw new UsageException($"--move takes LOGICAL=PATH, not '{text}'");
        }

        return (text[..equals], Path.GetFullPath(text[(equals + 1)..]));
    }
}
