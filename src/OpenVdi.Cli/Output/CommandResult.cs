using OpenVdi.Cli.CommandLine;

namespace OpenVdi.Cli.Output;

/// <summary>
/// How a command ended: its exit code, the closing line for people, and what the JSON summary carries. A failure
/// has an <see cref="ErrorKind"/> and a message; a success has a summary line.
/// </summary>
internal sealed record CommandResult
{
    /// <summary>The process exit code (<see cref="ExitCodes"/>).</summary>
    public required int ExitCode { get; init; }

    /// <summary>The closing line: what was done, or why it failed.</summary>
    public required string Text { get; init; }

    public bool Succeeded => ExitCode == ExitCodes.Success;

    /// <summary>For a failure: <c>usage</c>, <c>failed</c>, <c>engine-unreachable</c> or <c>cancelled</c>.</summary>
    public string? ErrorKind => ExitCode switch
    {
        ExitCodes.Success => null,
        ExitCodes.Usage => "usage",
        ExitCodes.EngineUnreachable => "engine-unreachable",
        ExitCodes.Interrupted or ExitCodes.Terminated => "cancelled",
        _ => "failed",
    };

    /// <summary>The JSON summary's command-specific members (bytes, files, databases…); null for none.</summary>
    public ResultEvent? Details { get; init; }

    public static CommandResult Success(string text, ResultEvent? details = null) => new() { ExitCode = ExitCodes.Success, Text = text, Details = details };

    public static CommandResult Failure(int exitCode, string text, ResultEvent? details = null) => new() { ExitCode = exitCode, Text = text, Details = details };
}
