using System.CommandLine;
using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Cli.Output;

namespace OpenVdi.Cli.Commands;

/// <summary><c>vdi headeronly|filelistonly|labelonly</c>: RESTORE HEADERONLY, FILELISTONLY or LABELONLY from a directory of stripe files, the rows printed.</summary>
internal static class InspectCommand
{
    public static Command Create(CliTerminal terminal, InspectionKind kind)
    {
        string name = kind.ToString().ToLowerInvariant();
        string description = kind switch
        {
            InspectionKind.HeaderOnly => "List the backup set in stripe files (RESTORE HEADERONLY): database, type, dates, sizes, block size…",
            InspectionKind.FileListOnly => "List the database files a backup holds (RESTORE FILELISTONLY): logical names for restore --move",
            _ => "Describe the media of stripe files (RESTORE LABELONLY): media set, families, block size",
        };
        var command = new Command(name, description) { CommonOptions.From, CommonOptions.Timeout, CommonOptions.Faults };
        CommonOptions.AddEngine(command);
        CommonOptions.AddVdiLibrary(command);
        command.SetAction((parse, _) =>
        {
            string directory = parse.GetRequiredValue(CommonOptions.From);
            return ClientRun.ExecuteAsync(
                terminal,
                parse,
                name.ToUpperInvariant(),
                null,
                (application, cancel) => application.InspectAsync(kind, directory, cancel),
                result => new ResultEvent { Directory = directory, BackupType = RestoreCommand.Describe(result.BackupType) });
        });
        return command;
    }
}
