using OpenVdi.Cli.CommandLine;
using OpenVdi.Engine.FrontDoor;

namespace OpenVdi.Cli.Client;

/// <summary>What the client commands share: an engine client on the socket, Ctrl+C as cancellation, messages printed as they come, the closing line and exit code.</summary>
internal static class ClientRun
{
    public static int Execute(string? socket, string what, TextWriter output, TextWriter error, Func<BackupApplication, CancellationToken, Task<OperationResult>> operation)
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
        var application = new BackupApplication(engine, new ConsoleStatementSink(output, error));
        var result = operation(application, interruption.Token).GetAwaiter().GetResult();
        return ResultPrinter.Print(result, what, output, error, interruption.Token.IsCancellationRequested);
    }
}
