using System.CommandLine;
using Microsoft.Extensions.Logging;
using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Cli.Output;
using OpenVdi.Cli.Serve;
using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.FrontDoor;
using OpenVdi.Engine.Tds;

namespace OpenVdi.Cli.Commands;

/// <summary><c>vdi engine serve</c>: the engine as a daemon on a Unix socket, until SIGINT or SIGTERM.</summary>
internal static class EngineServeCommand
{
    private static readonly Option<string?> s_group = new("--group")
    {
        Description = "Also admit members of this group (socket 0660, directory 0710)",
        HelpName = "NAME",
    };

    private static readonly Option<long> s_bufferMemory = new("--buffer-memory")
    {
        Description = "The shared memory the buffers of all running statements may take together (BUFFERCOUNT × MAXTRANSFERSIZE each); a statement that would go over it fails with message 701 (default 512MiB)",
        HelpName = "SIZE",
        DefaultValueFactory = _ => EngineOptions.DefaultBufferMemoryLimit,
        CustomParser = result => CommonOptions.Size(result, 1L << 20, 1L << 40),
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
            CommonOptions.Data, CommonOptions.Socket, s_group, s_bufferMemory, s_logLevel, CommonOptions.Faults,
        };
        TdsFrontDoorSettings.AddTo(command);
        command.SetAction(async (parse, _) =>
        {
            using var output = CommandOutput.Create(terminal, "engine serve", parse.GetValue(CommonOptions.Json), parse.GetValue(CommonOptions.Quiet));
            string dataDirectory = DataDirectory.Resolve(parse.GetValue(CommonOptions.Data));
            var faults = parse.GetValue(CommonOptions.Faults);
            using var interruption = new Interruption();
            EngineDaemon daemon;
            TdsServer? tds = null;
            DataDirectoryLock? dataLock = null;
            try
            {
                DataDirectory.EnsureExists(dataDirectory);
                var logger = new OutputLogger(output, parse.GetValue(CommonOptions.Quiet) ? LogLevel.Warning : parse.GetValue(s_logLevel));

                // One engine per data directory; what a killed one left there is nobody's now.
                dataLock = DataDirectoryLock.Acquire(dataDirectory);
                foreach (string orphan in dataLock.RemoveOrphans())
                {
                    output.Log(LogLevel.Warning, $"removed '{orphan}', left by a run that was killed");
                }

                long bufferMemory = parse.GetValue(s_bufferMemory);
                var engine = InProcessEngine.Create(dataDirectory, faults, bufferMemory);
                daemon = new EngineDaemon(
                    engine,
                    new EngineDaemonOptions { SocketPath = parse.GetValue(CommonOptions.Socket), Group = parse.GetValue(s_group), Logger = logger });

                // Through the logger's level: --quiet leaves the information out.
                if (logger.IsEnabled(LogLevel.Information))
                {
                    output.Log(LogLevel.Information, $"engine {EngineStatus.ThisVersion}: databases in {dataDirectory}; buffer memory for all statements {ByteSize.Format(bufferMemory)}");
                    if (faults is not null)
                    {
                        output.Log(LogLevel.Information, $"injecting faults into every statement: {faults}");
                    }
                }

                // The TDS port first: the daemon's readiness then means both are ready.
                var settings = TdsFrontDoorSettings.From(parse);
                if (settings.Requested)
                {
                    tds = new TdsServer(engine, settings.Build(new LoggerWriter(logger, LogLevel.Information), name => engine is StatementEngine local && local.Catalogue.TryGet(name, out DatabaseInfo? _)));
                    tds.Start();
                }

                daemon.Start();
            }
            catch (Exception e) when (e is IOException or ArgumentException or NotSupportedException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
            {
                if (tds is not null)
                {
                    await tds.StopAsync().ConfigureAwait(false);
                }

                dataLock?.Dispose();
                string message = e is System.Net.Sockets.SocketException ? $"cannot listen for TDS: {e.Message}" : e.Message;
                return output.Finish(CommandResult.Failure(ExitCodes.Failed, message));
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
            if (tds is not null)
            {
                await tds.StopAsync().ConfigureAwait(false);
            }

            await daemon.StopAsync().ConfigureAwait(false);
            dataLock.Dispose();
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
