using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Globalization;

namespace OpenVdi.Cli.CommandLine;

/// <summary>The library's help, then the exit codes (<see cref="ExitCodes"/>): every <c>--help</c> says what the codes mean.</summary>
internal sealed class HelpWithExitCodes : SynchronousCommandLineAction
{
    private readonly HelpAction _help;

    public HelpWithExitCodes(HelpAction help) => _help = help;

    /// <summary>Help is shown even when the rest of the line has errors (<c>vdi backup --database x --help</c>).</summary>
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        int code = _help.Invoke(parseResult);
        var output = parseResult.InvocationConfiguration.Output;
        output.WriteLine("Exit codes:");
        foreach (var (exit, meaning) in ExitCodes.Describe())
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {exit,-5}{meaning}"));
        }

        output.WriteLine();
        return code;
    }
}
