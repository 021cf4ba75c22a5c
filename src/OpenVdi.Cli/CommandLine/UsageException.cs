namespace OpenVdi.Cli.CommandLine;

/// <summary>
/// A command line that parses but cannot run (an option whose value is checked against another, a path that cannot
/// be a backup directory): reported in one line like a parse error, with exit code 2.
/// </summary>
internal sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
