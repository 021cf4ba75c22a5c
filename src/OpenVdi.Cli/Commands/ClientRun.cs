using System.CommandLine;
using System.Globalization;
using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Cli.Output;
using OpenVdi.Engine.FrontDoor;

namespace OpenVdi.Cli.Commands;

/// <summary>
/// What the client commands share once their options are parsed: the engine the options name, Ctrl+C and SIGTERM as
/// cancellation, a <see cref="BackupApplication"/> whose messages and progress go to the command's output, and the
/// closing line and exit code.
/// </summary>
internal static class ClientRun
{
    /// <summary>Runs <paramref name="operation"/> and returns the exit code.</summary>
    /// <param name="terminal">Where the output goes.</param>
    /// <param name="parse">The parsed command line (engine, faults, timeout, --json, --quiet).</param>
    /// <param name="what">The statement, for the closing line: <c>BACKUP</c>, <c>RESTORE</c>…</param>
    /// <param name="intro">A first line saying what is about to happen; null for none.</param>
    /// <param name="operation">The backup application's call.</param>
    /// <param name="details">The JSON summary's members for the result.</param>
    public static async Task<int> ExecuteAsync(
        CliTerminal terminal,
        ParseResult parse,
        string what,
        string? intro,
        Func<BackupApplication, CancellationToken, Task<OperationResult>> operation,
        Func<OperationResult, ResultEvent>? details = null)
    {
        using var output = CommandOutput.Create(terminal, CommandName(parse), parse.GetValue(CommonOptions.Json), parse.GetValue(CommonOptions.Quiet));
        using var interruption = new Interruption();
        var application = new BackupApplication(CommonOptions.StatementEngine(parse), output, faults: parse.GetValue(CommonOptions.Faults))
        {
            Observer = output,
            Timeout = CommonOptions.TimeoutOf(parse),
            Library = parse.GetValue(CommonOptions.VdiLibrary),
            LibraryOptions = CommonOptions.LibraryOptionsOf(parse),
        };
        if (intro is not null)
        {
            output.Info(intro);
        }

        var result = await operation(application, interruption.Token).ConfigureAwait(false);
        foreach (string orphan in result.RemovedOrphans)
        {
            output.Info($"removed '{orphan}', left by an earlier run that was killed");
        }

        var summary = (details?.Invoke(result) ?? new ResultEvent()) with
        {
            Bytes = result.Bytes,
            ElapsedSeconds = Math.Round(result.Elapsed.TotalSeconds, 3),
            BytesPerSecond = Math.Round(result.Bytes / Math.Max(result.Elapsed.TotalSeconds, 1e-3)),
            Files = result.Files,
        };
        if (result.Succeeded)
        {
            return output.Finish(CommandResult.Success(
                string.Create(CultureInfo.InvariantCulture, $"{what} succeeded: {ByteSize.Format(result.Bytes)} through {Plural(result.Files.Count, "device")} in {result.Elapsed.TotalSeconds:0.00} s ({ByteSize.Rate(result.Bytes, result.Elapsed)})."),
                summary));
        }

        int exit = interruption.ExitCode
            ?? (result.EngineFailure is EngineClientException { Error: not EngineClientError.EngineFault } ? ExitCodes.EngineUnreachable : ExitCodes.Failed);
        return output.Finish(CommandResult.Failure(exit, $"{what} failed: {output.NameStripes(result.Reason)}", summary));
    }

    /// <summary>The command as typed after <c>vdi</c>: <c>backup</c>, <c>engine list</c>.</summary>
    public static string CommandName(ParseResult parse)
    {
        var names = new List<string>();
        for (var command = parse.CommandResult; command?.Command is { } c && c is not RootCommand; command = command.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, c.Name);
        }

        return string.Join(' ', names);
    }

    public static string Plural(int count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? string.Empty : "s")}");
}
