using OpenVdi.Cli.CommandLine;
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
    /// null) go with the statement, for the engine to inject into its devices.
    /// </summary>
    public static int Execute(string? socket, string what, TextWriter output, TextWriter error, Func<BackupApplication, CancellationToken, Task<OperationResult>> operation, FaultPlan? faults = null)
    {
        EngineClient engine;
        try
        {
            engine = new EngineClient(socket);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        using var interruption = new Interruption();
        var application = new BackupApplication(engine, new ConsoleStatementSink(output, error), faults: faults);
        var result = operation(application, interruption.Token).GetAwaiter().GetResult();
        return ResultPrinter.Print(result, what, output, error, interruption.Token.IsCancellationRequested);
    }
}
