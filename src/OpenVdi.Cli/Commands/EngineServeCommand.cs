using System.CommandLine;
using Microsoft.Extensions.Logging;
using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Cli.Output;
using OpenVdi.Engine.FrontDoor;

namespace OpenVdi.Cli.Commands;

/// <summary><c>vdi engine serve</c>: the engine as a daemon on a Unix socket, until SIGINT or SIGTERM.</summary>
internal static class EngineServeCommand
{
    private static readonly Option<string?> s_group = new("--group")
    {
        Description = "Also admit members of this group (socket 0660, directory 0710)",
        HelpName = "NAME",
    };

    private static readonly Option<LogLevel> s_logLevel = new Option<LogLevel>("--log-level")
    {
        Description = "The least level logged: trace, debug, info, warn, error",
        HelpName = "LEVEL",
        DefaultValueFactory = _ => LogLevel.Information,
        CustomParser = result => result.Tokens[^1].Value.ToLowerInvariant() switch
        {
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "info" or "information" => LogLevel.Information,
            "warn" or "warning" => LogLevel.Warning,
            "error" => LogLevel.Error,
            string other => Refuse(result, other),
        },
    };

    public static Command Create(CliTerminal terminal)
    {
        var command = new Command(
            "serve",
            "Run the engine as a daemon on a Unix socket until SIGINT or SIGTERM (which cancel the statements running and remove the socket). " +
            "Only this user may connect, or also members of --group. Logs each connection, statement and refusal to standard output with its time and level " +
            "(journald's <N> prefixes under systemd; log events with --json). Says it is ready with 'listening on …' and, under systemd (NOTIFY_SOCKET), READY=1.")
        {
            CommonOptions.Data, CommonOptions.Socket, s_group, s_logLevel, CommonOptions.Faults,
        };
        command.SetAction(async (parse, _) =>
        {
            using var output = CommandOutput.Create(terminal, "engine serve", parse.GetValue(CommonOptions.Json), parse.GetValue(CommonOptions.Quiet));
            string dataDirectory = DataDirectory.Resolve(parse.GetValue(CommonOptions.Data));
            var faults = parse.GetValue(CommonOptions.Faults);
            using var interruption = new Interruption();
            EngineDaemon daemon;
            try
            {
                DataDirectory.EnsureExists(dataDirectory);
                var logger = new OutputLogger(output, parse.GetValue(CommonOptions.Quiet) ? LogLevel.Warning : parse.GetValue(s_logLevel));
                daemon = new EngineDaemon(
                    InProcessEngine.Create(dataDirectory, faults),
                    new EngineDaemonOptions { SocketPath = parse.GetValue(CommonOptions.Socket), Group = parse.GetValue(s_group), Logger = logger });
                output.Log(LogLevel.Information, $"engine {EngineStatus.ThisVersion}: databases in {dataDirectory}");
                if (faults is not null)
                {
                    output.Log(LogLevel.Information, $"injecting faults into every statement: {faults}");
                }

                daemon.Start();
            }
            catch (Exception e) when (e is IOException or ArgumentException or NotSupportedException or UnauthorizedAccessException)
            {
                return output.Finish(CommandResult.Failure(ExitCodes.Failed, e.Message));
            }

            Notify(output, $"READY=1\nSTATUS=listening on {daemon.SocketPath}\nMAINPID={Environment.ProcessId}");
            try
            {
                await Task.Delay(Timeout.Infinite, interruption.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // SIGINT or SIGTERM: the way a daemon is asked to stop.
            }

            Notify(output, "STOPPING=1");
            await daemon.StopAsync().ConfigureAwait(false);
            return output.Finish(CommandResult.Success("engine stopped"));
        });
        return command;
    }

    /// <summary>Tells the service manager, if any; one that cannot be told is a warning in the log, not a reason to stop serving.</summary>
    private static void Notify(CommandOutput output, string state)
    {
        try
        {
            SystemdNotify.Send(state);
        }
        catch (IOException e)
        {
            output.Log(LogLevel.Warning, e.Message);
        }
    }

    private static LogLevel Refuse(System.CommandLine.Parsing.ArgumentResult result, string text)
    {
        result.AddError($"--log-level takes trace, debug, info, warn or error, not '{text}'");
        return LogLevel.Information;
    }
}
