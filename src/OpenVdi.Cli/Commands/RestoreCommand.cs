using System.CommandLine;
using System.CommandLine.Parsing;
using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Cli.Output;
using OpenVdi.Engine.Format;

namespace OpenVdi.Cli.Commands;

/// <summary><c>vdi restore</c>: RESTORE DATABASE (or LOG, for a log backup) from a directory of stripe files through virtual devices.</summary>
internal static class RestoreCommand
{
    internal static readonly Option<List<(string Logical, string Path)>> Move = new("--move")
    {
        Description = "MOVE: put the file with that logical name at PATH (repeatable; RESTORE FILELISTONLY, 'vdi filelistonly', lists the names)",
        HelpName = "LOGICAL=PATH",
        CustomParser = ParseMoves,
    };

    private static readonly Option<bool> s_replace = new("--replace")
    {
        Description = "REPLACE: overwrite an existing database",
    };

    private static readonly Option<bool> s_noRecovery = new("--norecovery")
    {
        Description = "NORECOVERY: leave the database restoring, ready for the next differential or log backup of the chain",
    };

    public static Command Create(CliTerminal terminal)
    {
        var command = new Command("restore", "Restore a database from stripe files through virtual devices (RESTORE LOG for a log backup)")
        {
            CommonOptions.From, CommonOptions.Database, Move, s_replace, s_noRecovery, CommonOptions.RequireChecksum,
            CommonOptions.BufferCount, CommonOptions.Stats, CommonOptions.Timeout, CommonOptions.Faults,
        };
        CommonOptions.AddEngine(command);
        CommonOptions.AddVdiLibrary(command);
        command.SetAction((parse, _) =>
        {
            int stats = parse.GetValue(CommonOptions.Stats);
            var request = new RestoreRequest
            {
                Directory = parse.GetRequiredValue(CommonOptions.From),
                Database = parse.GetRequiredValue(CommonOptions.Database),
                Replace = parse.GetValue(s_replace),
                Moves = parse.GetValue(Move) ?? [],
                Recovery = !parse.GetValue(s_noRecovery),
                RequireChecksum = parse.GetValue(CommonOptions.RequireChecksum),
                Stats = stats == 0 ? null : stats,
                BufferCount = parse.GetValue(CommonOptions.BufferCount),
            };
            return ClientRun.ExecuteAsync(
                terminal,
                parse,
                "RESTORE",
                $"Restoring database '{request.Database}' from {request.Directory}{(request.Recovery ? string.Empty : ", leaving it restoring (NORECOVERY)")}.",
                (application, cancel) => application.RestoreAsync(request, cancel),
                result => new ResultEvent { Database = request.Database, Directory = request.Directory, BackupType = Describe(result.BackupType) });
        });
        return command;
    }

    /// <summary><c>full</c>, <c>differential</c> or <c>log</c>.</summary>
    public static string? Describe(BackupType? type) => type switch
    {
        BackupType.Database => "full",
        BackupType.Differential => "differential",
        BackupType.Log => "log",
        _ => null,
    };

    /// <summary><c>logical=path</c>, each; the path is made absolute here, as the daemon does not share this directory.</summary>
    private static List<(string Logical, string Path)> ParseMoves(ArgumentResult result)
    {
        var moves = new List<(string, string)>();
        foreach (var token in result.Tokens)
        {
            string text = token.Value;
            int equals = text.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == text.Length - 1)
            {
                result.AddError($"--move takes LOGICAL=PATH, not '{text}'");
                continue;
            }

            moves.Add((text[..equals], Path.GetFullPath(text[(equals + 1)..])));
        }

        return moves;
    }
}
