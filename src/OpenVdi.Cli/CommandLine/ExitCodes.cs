namespace OpenVdi.Cli.CommandLine;

/// <summary>
/// The exit codes of <c>vdi</c>, one home for each: <c>vdi --help</c>, the README and docs/cli-json.md list them
/// from here (<see cref="Describe"/>).
/// </summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>The statement (or the command's own work) failed; the messages say why.</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong: nothing was done.</summary>
    public const int Usage = 2;

    /// <summary>The engine could not be reached, refused the connection, or the connection broke before the answer.</summary>
    public const int EngineUnreachable = 3;

    /// <summary>Stopped by SIGINT (Ctrl+C): 128 + 2, as shells report it.</summary>
    public const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM: 128 + 15.</summary>
    public const int Terminated = 143;

    /// <summary>Every code with what it means, in order.</summary>
    public static IReadOnlyList<(int Code, string Meaning)> Describe() =>
    [
        (Success, "success"),
        (Failed, "the statement or the command's work failed (the messages say why)"),
        (Usage, "usage error: a bad or missing option; nothing was done"),
        (EngineUnreachable, "the engine could not be reached, refused the connection, or the connection broke"),
        (Interrupted, "cancelled by SIGINT (Ctrl+C); nothing of a backup is kept"),
        (Terminated, "cancelled by SIGTERM; nothing of a backup is kept"),
    ];
}
