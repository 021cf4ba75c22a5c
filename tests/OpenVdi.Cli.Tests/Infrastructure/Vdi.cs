using OpenVdi.Cli.CommandLine;
using OpenVdi.Cli.Output;

namespace OpenVdi.Cli.Tests.Infrastructure;

/// <summary>Runs a 'vdi' command line in this process, as the tool's Main does, with its output captured.</summary>
public static class Vdi
{
    /// <summary>Runs <paramref name="args"/>; standard error is not a terminal, so progress comes as plain lines.</summary>
    public static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = new VdiCommandLine(new CliTerminal(output, error)).Run(args);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Runs <paramref name="args"/> off the test's thread (the client commands block).</summary>
    public static Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => Task.Run(() => Run(args));
}
