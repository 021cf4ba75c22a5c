using System.Net.Sockets;
using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Cli.Serve;
using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Faults;
using OpenVdi.Engine.FrontDoor;
using OpenVdi.Engine.Tds;

namespace OpenVdi.Cli.Commands;

/// <summary><c>vdi engine serve</c>: the engine as a daemon on a Unix socket, until SIGINT or SIGTERM.</summary>
internal sealed class EngineServeCommand : ICliCommand
{
    public string Name => "engine serve";

    public string Summary => "Run the engine as a daemon on a Unix socket";

    public string Usage => """
        Usage: vdi engine serve [--data DIR] [--socket PATH] [--group NAME] [--buffer-memory SIZE] [--faults SPEC]
                                [--tds [ADDRESS:]PORT --tds-login NAME [--tds-password-file PATH]
                                 [--tds-certificate PATH [--tds-certificate-key PATH]] [--tds-allow-unencrypted]]

        Runs the engine (SQL Server's part of BACKUP and RESTORE TO/FROM VIRTUAL_DEVICE) as a local daemon until
        SIGINT or SIGTERM, which cancels the statements running and removes the socket. Only this user may connect,
        or also members of --group; the daemon checks each connection's credentials and logs every statement and
        refusal to standard output. Protocol: docs/engine-protocol.md.

        Options:
          --data DIR      the databases (default $XDG_DATA_HOME/openvdi/data or ~/.local/share/openvdi/data)
          --socket PATH   the socket (default $XDG_RUNTIME_DIR/openvdi/engine.sock or /tmp/openvdi-<uid>/engine.sock)
          --group NAME    also admit members of this group (socket 0660, directory 0710)
          --buffer-memory SIZE
                          the shared memory the buffers of all running statements may take together
                          (BUFFERCOUNT × MAXTRANSFERSIZE each; default 512MiB); a statement that would go over it
                          fails with message 701
          --faults SPEC   inject these faults into every statement's devices, for clients under test, e.g.
                          flush-every=1MiB,delay=2ms (composable; the list is in docs/engine.md). A client's own
                          --faults add to them, and win for a fault of the same kind
        """ + "\n" + TdsFrontDoorSettings.Usage;

    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        string? data = null;
        string? socket = null;
        string? group = null;
        FaultPlan? faults = null;
        long bufferMemory = OpenVdi.Engine.Execution.EngineOptions.DefaultBufferMemoryLimit;
        var tds = new TdsFrontDoorSettings();
        var options = new OptionReader(args);
        while (options.Next() is { } option)
        {
            switch (option)
            {
                case "--data": data = options.Value(option); break;
                case "--socket": socket = options.Value(option); break;
                case "--group": group = options.Value(option); break;
                case "--faults": faults = FaultOption.Parse(option, options.Value(option)); break;
                case "--buffer-memory": bufferMemory = ByteSize.Parse(option, options.Value(option), 1L << 20, 1L << 40); break;
                default:
                    if (!tds.TryRead(option, options))
                    {
                        throw new UsageException($"unknown option {option}");
                    }

                    break;
            }
        }

        tds.Validate();
        string dataDirectory = DataDirectory.Resolve(data);
        using var interruption = new Interruption();
        try
        {
            if (!Directory.Exists(dataDirectory) && !OperatingSystem.IsWindows())
            {
                // The databases are the user's data: a new data directory is the user's alone.
                Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            using var dataLock = DataDirectoryLock.Acquire(dataDirectory);
            foreach (string orphan in dataLock.RemoveOrphans())
            {
                output.WriteLine($"engine: removed '{orphan}', left by a run that was killed");
            }

            var engine = InProcessEngine.Create(dataDirectory, faults, bufferMemory);
            var daemon = new EngineDaemon(engine, new EngineDaemonOptions { SocketPath = socket, Group = group, Log = output });
            output.WriteLine($"engine: databases in {dataDirectory}; buffer memory for all statements {ByteSize.Format(bufferMemory)}");
            if (faults is not null)
            {
                output.WriteLine($"engine: injecting faults into every statement: {faults}");
            }

            // The TDS port first: the daemon's "listening on" line then means both are ready.
            var tdsServer = tds.Requested ? new TdsServer(engine, tds.Build(output, name => engine is StatementEngine local && local.Catalogue.TryGet(name, out _))) : null;
            tdsServer?.Start();
            try
            {
                daemon.RunAsync(interruption.Token).GetAwaiter().GetResult();
            }
            finally
            {
                tdsServer?.StopAsync().GetAwaiter().GetResult();
            }

            return 0;
        }
        catch (SocketException e)
        {
            error.WriteLine($"vdi engine serve: cannot listen for TDS: {e.Message}");
            return ResultPrinter.FailureExitCode;
        }
        catch (Exception e) when (e is IOException or ArgumentException or NotSupportedException or UnauthorizedAccessException)
        {
            error.WriteLine($"vdi engine serve: {e.Message}");
            return ResultPrinter.FailureExitCode;
        }
    }
}
