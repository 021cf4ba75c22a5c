using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Engine.Faults;

namespace OpenVdi.Cli.Commands;

/// <summary><c>vdi backup</c>: BACKUP DATABASE through virtual devices into a directory of stripe files.</summary>
internal sealed class BackupCommand : ICliCommand
{
    public string Name => "backup";

    public string Summary => "Back a database up through virtual devices into stripe files";

    public string Usage => """
        Usage: vdi backup --database DB --to DIR [--devices N] [--socket PATH | --server CONN] [--blocksize SIZE]
                          [--maxtransfersize SIZE] [--buffercount N] [--checksum] [--stats N] [--faults SPEC]

        Creates a virtual device set of N devices, sends BACKUP DATABASE [DB] TO VIRTUAL_DEVICE = ... to the engine
        daemon, and stores each device's stream in DIR/stripe-NN.bak. The files are written under temporary names,
        made durable at every VDC_Flush and at VDC_Complete, and renamed into place only when the statement
        succeeded; when it fails nothing is left in DIR. The engine's messages are printed as they come. Exit code
        0 only when the backup succeeded.

        Options:
          --database DB           the database to back up
          --to DIR                the backup directory (created if needed; must not already hold a backup)
          --devices N             devices (stripes), 1 to 64 (default 1)
          --socket PATH           the engine daemon's socket (default as 'vdi engine serve')
          --server CONN           send the statement over TDS to SQL Server (or 'vdi engine serve --tds'):
                                  a connection string, e.g. "Server=host,1433;User Id=u;Password=p;TrustServerCertificate=true"
          --blocksize SIZE        BLOCKSIZE, a power of two from 512 to 64KiB (default 64KiB)
          --maxtransfersize SIZE  MAXTRANSFERSIZE, a multiple of 64KiB up to 4MiB (default 1MiB)
          --buffercount N         BUFFERCOUNT, buffers shared by all devices (default: the engine's choice)
          --checksum              WITH CHECKSUM: payload checksums in the backup
          --stats N               progress every N percent, 0 for none (default 10)
          --faults SPEC           faults for the engine to inject into this statement's devices, e.g.
                                  flush-every=1MiB,delay=2ms (composable; the list is in docs/engine.md)
        """;

    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        string? database = null;
        string? directory = null;
        int devices = 1;
        string? socket = null;
        string? server = null;
        int blockSize = 64 << 10;
        int maxTransferSize = 1 << 20;
        int? bufferCount = null;
        bool checksum = false;
        int stats = 10;
        FaultPlan? faults = null;
        var options = new OptionReader(args);
        while (options.Next() is { } option)
        {
            switch (option)
            {
                case "--database": database = options.Value(option); break;
                case "--to": directory = options.Value(option); break;
                case "--devices": devices = (int)options.Number(option, 1, 64); break;
                case "--socket": socket = options.Value(option); break;
                case "--server": server = options.Value(option); break;
                case "--blocksize": blockSize = (int)ByteSize.Parse(option, options.Value(option), 512, 64 << 10); break;
                case "--maxtransfersize": maxTransferSize = (int)ByteSize.Parse(option, options.Value(option), 64 << 10, 4 << 20); break;
                case "--buffercount": bufferCount = (int)options.Number(option, 1, 65535); break;
                case "--checksum": checksum = true; break;
                case "--stats": stats = (int)options.Number(option, 0, 100); break;
                case "--faults": faults = FaultOption.Parse(option, options.Value(option)); break;
                default: throw new UsageException($"unknown option {option}");
            }
        }

        if (database is null || directory is null)
        {
            throw new UsageException("--database and --to are required");
        }

        var transfer = new TransferOptions(blockSize, maxTransferSize, bufferCount, stats == 0 ? null : stats);
        output.WriteLine($"Backing up database '{database}' to {Path.GetFullPath(directory)} over {devices} device{(devices == 1 ? string.Empty : "s")}.");
        return ClientRun.Execute(socket, "BACKUP", output, error, (application, cancel) =>
            application.BackupAsync(database, directory, devices, transfer, checksum, cancel), faults, server);
    }
}
