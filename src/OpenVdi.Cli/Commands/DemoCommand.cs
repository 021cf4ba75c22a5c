using System.CommandLine;
using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Cli.Output;

namespace OpenVdi.Cli.Commands;

/// <summary>
/// <c>vdi demo</c>: the whole tool in one run. Starts the engine daemon as a separate process, makes a sample
/// database, backs it up over several virtual devices to stripe files, verifies them, restores them under a new name,
/// and compares every file byte for byte; then the same over TDS, SQL Server's protocol; then stops the daemon and
/// removes everything it made.
/// </summary>
internal static class DemoCommand
{
    private static readonly Option<long> s_size = new("--size")
    {
        Description = "The sample database's size (default 256MiB)",
        HelpName = "SIZE",
        DefaultValueFactory = _ => 256L << 20,
        CustomParser = result => CommonOptions.Size(result, 1 << 20, 1L << 40),
    };

    private static readonly Option<bool> s_keep = new("--keep")
    {
        Description = "Keep the temporary directory (databases, stripe files) and print where it is",
    };

    public static Command Create(CliTerminal terminal)
    {
        var command = new Command(
            "demo",
            "The whole tool in one run: start 'vdi engine serve' on a private socket, create a sample database, back it up over N devices, " +
            "verify it, restore it as a new database, compare every file byte for byte; the same backup and restore over TDS (SQL Server's protocol, " +
            "with TLS and a random login password); then stop the daemon and remove what it made")
        {
            s_size, CommonOptions.Devices, s_keep,
        };
        command.SetAction(async (parse, _) =>
        {
            using var output = CommandOutput.Create(terminal, "demo", parse.GetValue(CommonOptions.Json), parse.GetValue(CommonOptions.Quiet));
            using var interruption = new Interruption();
            using var demo = new DemoRun(output, parse.GetValue(CommonOptions.Json), parse.GetValue(CommonOptions.Devices) ?? 4, interruption);
            return output.Finish(await demo.RunAsync(parse.GetValue(s_size), parse.GetValue(s_keep)).ConfigureAwait(false));
        });
        return command;
    }
}
