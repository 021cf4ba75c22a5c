using System.CommandLine;
using System.Globalization;
using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Cli.Output;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.FrontDoor;

namespace OpenVdi.Cli.Commands;

/// <summary><c>vdi engine status|list|drop</c>: a running daemon, asked over its socket.</summary>
internal static class EngineAdministrationCommands
{
    public static Command Status(CliTerminal terminal)
    {
        var command = new Command("status", "Say whether the engine daemon runs, and how: version, pid, uptime, data directory, statements running");
        CommonOptions.AddEngine(command);
        command.SetAction((parse, cancel) => RunAsync(terminal, parse, async (engine, output) =>
        {
            var status = await engine.GetStatusAsync(cancel).ConfigureAwait(false);
            var uptime = status.StartedAt is { } started ? DateTimeOffset.UtcNow - started : (TimeSpan?)null;
            output.Info($"engine     OpenVdi {status.Version}, pid {status.ProcessId.ToString(CultureInfo.InvariantCulture)}");
            output.Info($"socket     {status.SocketPath}");
            if (uptime is { } up)
            {
                output.Info(string.Create(CultureInfo.InvariantCulture, $"uptime     {(int)up.TotalDays}d {up.Hours:00}:{up.Minutes:00}:{up.Seconds:00} (since {status.StartedAt:yyyy-MM-dd HH:mm:ss} UTC)"));
            }

            if (status.DataDirectory is { } data)
            {
                output.Info($"data       {data} ({ClientRun.Plural(status.Databases ?? 0, "database")})");
            }

            output.Info($"statements {status.RunningStatements.ToString(CultureInfo.InvariantCulture)} running");
            return CommandResult.Success("the engine is running", new ResultEvent
            {
                Engine = new EngineStatusEntry
                {
                    Socket = status.SocketPath,
                    Pid = status.ProcessId,
                    Version = status.Version,
                    Protocol = EngineProtocol.Version,
                    StartedAt = status.StartedAt,
                    UptimeSeconds = uptime is { } u ? Math.Round(u.TotalSeconds, 3) : null,
                    DataDirectory = status.DataDirectory,
                    RunningStatements = status.RunningStatements,
                    Databases = status.Databases,
                },
            });
        }));
        return command;
    }

    public static Command List(CliTerminal terminal)
    {
        var command = new Command("list", "List the engine daemon's databases: state, size, files");
        CommonOptions.AddEngine(command);
        command.SetAction((parse, cancel) => RunAsync(terminal, parse, async (engine, output) =>
        {
            var databases = await engine.ListDatabasesAsync(cancel).ConfigureAwait(false);
            if (databases.Count > 0)
            {
                int width = Math.Max(8, databases.Max(d => d.Name.Length));
                output.Info($"{"database".PadRight(width)}  state      {"size",10}  files");
                foreach (var database in databases)
                {
                    output.Info(string.Create(CultureInfo.InvariantCulture,
                        $"{database.Name.PadRight(width)}  {(database.IsRestoring ? "restoring" : "online"),-9}  {ByteSize.Format(database.SizeBytes),10}  {database.Files.Count}"));
                }
            }

            return CommandResult.Success(ClientRun.Plural(databases.Count, "database"), new ResultEvent { Databases = [.. databases.Select(Entry)] });
        }));
        return command;
    }

    public static Command Drop(CliTerminal terminal)
    {
        var name = new Option<string>("--name")
        {
            Description = "The database to drop (its files inside its folder are deleted; files registered in place are left alone)",
            HelpName = "DB",
            Required = true,
        };
        var command = new Command("drop", "Drop a database of the engine daemon (refused while a backup or restore uses it)") { name };
        CommonOptions.AddEngine(command);
        command.SetAction((parse, cancel) => RunAsync(terminal, parse, async (engine, output) =>
        {
            string database = parse.GetRequiredValue(name);
            var outcome = await engine.DropDatabaseAsync(database, cancel).ConfigureAwait(false);
            foreach (var message in outcome.Messages)
            {
                output.OnMessage(message);
            }

            return outcome.Succeeded
                ? CommandResult.Success($"dropped database '{database}'", new ResultEvent { Database = database })
                : CommandResult.Failure(ExitCodes.Failed, $"DROP DATABASE failed: Msg {outcome.FirstError!.Number.ToString(CultureInfo.InvariantCulture)}: {outcome.FirstError.Text}", new ResultEvent { Database = database });
        }));
        return command;
    }

    /// <summary>A database as the JSON summary lists it.</summary>
    public static DatabaseEntry Entry(DatabaseSummary database) => new()
    {
        Name = database.Name,
        State = database.IsRestoring ? "restoring" : "online",
        SizeBytes = database.SizeBytes,
        Files = [.. database.Files.Select(f => new DatabaseFileEntry
        {
            LogicalName = f.LogicalName,
            Type = f.Type == Engine.Format.DatabaseFileType.Log ? "log" : "data",
            Path = f.Path,
            SizeBytes = f.SizeBytes,
        })],
    };

    /// <summary>Runs a request to the daemon, turning an unreachable daemon into exit code 3 with its message.</summary>
    private static async Task<int> RunAsync(CliTerminal terminal, ParseResult parse, Func<EngineClient, CommandOutput, Task<CommandResult>> request)
    {
        using var output = CommandOutput.Create(terminal, ClientRun.CommandName(parse), parse.GetValue(CommonOptions.Json), parse.GetValue(CommonOptions.Quiet));
        try
        {
            return output.Finish(await request(CommonOptions.Daemon(parse), output).ConfigureAwait(false));
        }
        catch (EngineClientException e)
        {
            return output.Finish(CommandResult.Failure(e.Error == EngineClientError.EngineFault ? ExitCodes.Failed : ExitCodes.EngineUnreachable, e.Message));
        }
    }
}
