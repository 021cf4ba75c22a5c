using System.CommandLine;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Cli.Output;

namespace OpenVdi.Cli.Commands;

/// <summary><c>vdi verify</c>: RESTORE VERIFYONLY from a directory of stripe files.</summary>
internal static class VerifyCommand
{
    public static Command Create(CliTerminal terminal)
    {
        var command = new Command("verify", "Check a backup's stripe files with RESTORE VERIFYONLY (reads everything, writes nothing)")
        {
            CommonOptions.From, CommonOptions.RequireChecksum, CommonOptions.BufferCount, CommonOptions.Stats, CommonOptions.Timeout, CommonOptions.Faults,
        };
        CommonOptions.AddEngine(command);
        CommonOptions.AddVdiLibrary(command);
        command.SetAction((parse, _) =>
        {
            string directory = parse.GetRequiredValue(CommonOptions.From);
            int stats = parse.GetValue(CommonOptions.Stats);
            bool checksum = parse.GetValue(CommonOptions.RequireChecksum);
            return ClientRun.ExecuteAsync(
                terminal,
                parse,
                "VERIFYONLY",
                null,
                (application, cancel) => application.VerifyAsync(directory, stats == 0 ? null : stats, cancel, checksum, parse.GetValue(CommonOptions.BufferCount)),
                result => new ResultEvent { Directory = directory, BackupType = RestoreCommand.Describe(result.BackupType) });
        });
        return command;
    }
}
