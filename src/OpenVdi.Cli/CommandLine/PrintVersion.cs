using System.CommandLine;
using System.CommandLine.Invocation;
using OpenVdi.Engine.FrontDoor;

namespace OpenVdi.Cli.CommandLine;

/// <summary><c>vdi --version</c>: the version every package of this build carries (Directory.Build.props), as <c>vdi engine status</c> reports it too.</summary>
internal sealed class PrintVersion : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        parseResult.InvocationConfiguration.Output.WriteLine(EngineStatus.ThisVersion);
        return ExitCodes.Success;
    }
}
