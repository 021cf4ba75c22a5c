using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using OpenVdi.Cli.Client;
using OpenVdi.Cli.Commands;
using OpenVdi.Cli.Output;

namespace OpenVdi.Cli.CommandLine;

/// <summary>
/// <c>vdi</c>'s command line on System.CommandLine: every command, help anywhere (<c>-h</c>, <c>--help</c>), <c>--version</c>,
/// <c>--opt=value</c>, response files (<c>@file</c>), the <c>[suggest]</c> directive behind Tab completion. A command
/// line that does not parse is one line on standard error naming the bad option (or a <c>result</c> event with
/// <c>--json</c>) and exit code 2, never a page of help. Commands parse, then call the application services.
/// </summary>
internal sealed class VdiCommandLine
{
    private readonly CliTerminal _terminal;
    private readonly RootCommand _root;

    public VdiCommandLine(CliTerminal terminal)
    {
        _terminal = terminal;
        _root = new RootCommand("vdi: SQL Server's Virtual Device Interface over OpenVdi's shared-memory transport. A backup application (backup, restore, verify…) and the engine that plays SQL Server's part (engine serve) in one tool.")
        {
            DemoCommand.Create(terminal),
            BackupCommand.Create(terminal),
            RestoreCommand.Create(terminal),
            VerifyCommand.Create(terminal),
            InspectCommand.Create(terminal, InspectionKind.HeaderOnly),
            InspectCommand.Create(terminal, InspectionKind.FileListOnly),
            InspectCommand.Create(terminal, InspectionKind.LabelOnly),
            EngineCommand.Create(terminal),
            BenchCommand.Create(terminal),
            BenchPeerCommand.Create(terminal),
            CompletionCommand.Create(terminal),
        };
        _root.Options.Add(CommonOptions.Json);
        _root.Options.Add(CommonOptions.Quiet);
        foreach (var help in _root.Options.OfType<HelpOption>())
        {
            if (help.Action is HelpAction action)
            {
                help.Action = new HelpWithExitCodes(action);
            }
        }

        foreach (var version in _root.Options.OfType<VersionOption>())
        {
            version.Action = new PrintVersion();
        }
    }

    /// <summary>The command tree (for tests of help and completion).</summary>
    public RootCommand Root => _root;

    /// <summary>Runs <c>vdi</c> on the process's console.</summary>
    public static int RunOnConsole(string[] args) => new VdiCommandLine(CliTerminal.FromConsole()).Run(args);

    /// <summary>Parses and runs one command line; returns the exit code.</summary>
    public int Run(IReadOnlyList<string> args)
    {
        var parse = _root.Parse(args);
        if (parse.Action is ParseErrorAction || (parse.Errors.Count > 0 && parse.Action is null))
        {
            // A word the line does not know says more than what is then missing ('vdi engine start').
            var error = parse.Errors.FirstOrDefault(e => parse.UnmatchedTokens.Any(t => e.Message.Contains($"'{t}'", StringComparison.Ordinal)));
            return UsageError(parse, error?.Message ?? (parse.Errors.Count > 0 ? parse.Errors[0].Message : "a command is needed"));
        }

        if (parse.CommandResult.Command is RootCommand && parse.Action is null)
        {
            return UsageError(parse, "which command? Run 'vdi --help' for the list.");
        }

        var invocation = new InvocationConfiguration
        {
            Output = _terminal.Output,
            Error = _terminal.Error,

            // Commands handle SIGINT and SIGTERM themselves (Interruption): they cancel, clean up and exit 130 or 143.
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            return parse.Invoke(invocation);
        }
        catch (UsageException e)
        {
            return UsageError(parse, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file the command had to write or read (bench --save, say): the system's reason, in one line.
            return Failure(parse, e.Message);
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable(DebugVariable) != "1")
        {
            // A bug: one line a user can quote, not a stack trace; VDI_DEBUG=1 lets the exception through.
            return Failure(parse, $"internal error ({e.GetType().Name}): {e.Message} (set {DebugVariable}=1 for the details)");
        }
    }

    /// <summary>The variable that lets an unexpected exception through with its stack trace, for a bug report.</summary>
    public const string DebugVariable = "VDI_DEBUG";

    private int Failure(ParseResult parse, string message)
    {
        bool json = parse.GetResult(CommonOptions.Json) is { Implicit: false };
        using var output = CommandOutput.Create(_terminal, ClientRun.CommandName(parse), json, quiet: false);
        return output.Finish(CommandResult.Failure(ExitCodes.Failed, message));
    }

    private int UsageError(ParseResult parse, string message)
    {
        string command = ClientRun.CommandName(parse);
        bool json = parse.GetResult(CommonOptions.Json) is { Implicit: false };
        using var output = CommandOutput.Create(_terminal, command, json, quiet: false);
        string help = command.Length == 0 ? "vdi --help" : $"vdi {command} --help";
        return output.UsageError(json ? message : $"{message.TrimEnd('.')} (see '{help}')");
    }

}
