namespace OpenVdi.Cli.CommandLine;

/// <summary>One <c>vdi</c> command: its name, what it does in one line, its usage text, and its body.</summary>
internal interface ICliCommand
{
    /// <summary>The word after <c>vdi</c>.</summary>
    string Name { get; }

    /// <summary>One line for <c>vdi --help</c>.</summary>
    string Summary { get; }

    /// <summary>The text of <c>vdi &lt;command&gt; --help</c>: usage line and options.</summary>
    string Usage { get; }

    /// <summary>Whether <c>vdi --help</c> leaves it out (internal roles, such as the bench's child processes).</summary>
    bool IsHidden => false;

    /// <summary>Runs the command with the words after its name; returns the process exit code.</summary>
    /// <exception cref="UsageException">The arguments are wrong; the dispatcher prints the message and the usage.</exception>
    int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error);
}
