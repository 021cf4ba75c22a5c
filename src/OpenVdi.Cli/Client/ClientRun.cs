using OpenVdi.Cli.CommandLine;
using OpenVdi.Cli.SqlServer;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Faults;
using OpenVdi.Engine.FrontDoor;

namespace OpenVdi.Cli.Client;

/// <summary>What the client commands share: an engine client on the socket, Ctrl+C as cancellation, messages printed as they come, the closing line and exit code.</summary>
internal static class ClientRun
{
    /// <summary>
    /// Runs <paramref name="operation"/> with a backup application on the daemon at <paramref name="socket"/> (the
    /// default socket when null), its messages printed to <paramref name="output"/> and <paramref name="error"/>, then
    /// the closing line naming <paramref name="what"/>; returns the exit code. <paramref name="faults"/> (none when
    /// null) go with the statement, for the engine to inject into its devices. With <paramref name="server"/> (a
    /// connection string), the statement goes over TDS to that SQL Server (or the engine's TDS port) instead.
    /// </summary>
    public static int Execute(string? socket, string what, TextWriter output, TextWriter error, Func<BackupApplication, CancellationToken, Task<OperationResult>> operation, FaultPlan? faults = null, string? server = null)
    {
        var engine = Engine(socket, server, faults);
        if (engine is SqlServerStatementEngine sqlServer)
        {
            output.WriteLine($"Sending the statement over TDS to {sqlServer.Server}.");
        }

        using var interruption = new Interruption();
        var application = new BackupApplication(engine, new ConsoleStatementSink(output, error), faults: faults);
        var result = operation(application, interruption.Token).GetAwaiter().GetResult();
        return ResultPrinter.Print(result, what, output, error, interruption.Token.IsCancellationRequested);
    }

    /// <summary>The daemon's client, or with <paramref name="server"/> the SQL Server client.</summary>
    /// <exception cref="UsageException">The socket path or connection string is bad, or options that exclude each other were given.</exception>
    private static IStatementEngine Engine(string? socket, string? server, FaultPlan? faults)
    {
        try
        {
            if (server is null)
            {
                return new EngineClient(socket);
            }

            if (socket is not null)
            {
                throw new UsageException("--server and --socket exclude each other: the statement goes either to SQL Server over TDS or to the engine daemon");
            }

            if (faults is not null)
            {
                throw new UsageException("--faults needs the engine daemon (it travels with the statement on its socket); SQL Server over --server injects none");
            }

            return new SqlServerStatementEngine(server);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(server is null ? e.Message : $"--server: {e.Message}");
        }
    }
}
