using System.Globalization;

namespace OpenVdi.Cli.Client;

/// <summary>The closing lines of a command: what it did, or why it failed, and its exit code.</summary>
internal static class ResultPrinter
{
    /// <summary>Exit code of a command whose operation failed.</summary>
    public const int FailureExitCode = 1;

    /// <summary>Exit code of a command stopped by SIGINT or SIGTERM (128 + 2).</summary>
    public const int CancelledExitCode = 130;

    /// <summary>Prints the outcome of <paramref name="result"/> and returns the exit code: 0 only when it succeeded.</summary>
    public static int Print(OperationResult result, string what, TextWriter output, TextWriter error, bool cancelled)
    {
        foreach (string orphan in result.RemovedOrphans)
        {
            output.WriteLine($"removed '{orphan}', left by an earlier run that was killed");
        }

        if (result.Succeeded)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{what} succeeded: {ByteSize.Format(result.Bytes)} through {result.Files.Count} device{(result.Files.Count == 1 ? string.Empty : "s")} in {result.Elapsed.TotalSeconds:0.00} s ({ByteSize.Rate(result.Bytes, result.Elapsed)})."));
            return 0;
        }

        string reason = result.Problem
            ?? (result.Outcome?.FirstError is { } first ? $"Msg {first.Number.ToString(CultureInfo.InvariantCulture)}: {first.Text}" : "the statement failed");
        error.WriteLine($"{what} failed: {reason}");
        return cancelled ? CancelledExitCode : FailureExitCode;
    }

    /// <summary>A database's files, one a line: logical name, type, full path.</summary>
    public static void PrintFiles(OpenVdi.Engine.Databases.DatabaseInfo database, TextWriter output)
    {
        foreach (var file in database.Files)
        {
            output.WriteLine($"  {file.LogicalName,-24} {file.Type,-5} {database.GetFullPath(file)}");
        }
    }
}
