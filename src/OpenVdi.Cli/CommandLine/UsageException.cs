namespace OpenVdi.Cli.CommandLine;

/// <summary>A command line a command cannot run: the dispatcher prints the message and the command's usage, exit code 2.</summary>
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
