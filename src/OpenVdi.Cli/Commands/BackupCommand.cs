using System.CommandLine;
using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Cli.Output;

namespace OpenVdi.Cli.Commands;

/// <summary><c>vdi backup</c>: BACKUP DATABASE or LOG through virtual devices into a directory of stripe files.</summary>
internal static class BackupCommand
{
    private static readonly Option<string> s_to = new("--to")
    {
        Description = "The backup directory: created if needed, must not already hold a backup; gets stripe-01.bak … stripe-NN.bak",
        HelpName = "DIR",
        Required = true,
        CustomParser = result => CommonOptions.DirectoryPath(result, mustExist: false),
    };

    private static readonly Option<string> s_type = CommonOptions.Choice(
        new Option<string>("--type")
        {
            Description = "full (BACKUP DATABASE), differential (WITH DIFFERENTIAL) or log (BACKUP LOG)",
            HelpName = "full|differential|log",
            DefaultValueFactory = _ => "full",
        },
        "full",
        "differential",
        "log");

    private static readonly Option<bool> s_copyOnly = new("--copy-only")
    {
        Description = "COPY_ONLY: a backup outside the sequence of differentials and logs",
    };

    private static readonly Option<bool> s_checksum = new("--checksum")
    {
        Description = "CHECKSUM: a checksum on every data block, checked by verify and restore (the default)",
    };

    private static readonly Option<bool> s_noChecksum = new("--no-checksum")
    {
        Description = "NO_CHECKSUM: no payload checksums (headers are still checked)",
    };

    private static readonly Option<int?> s_blockSize = new("--blocksize")
    {
        Description = "BLOCKSIZE: a power of two from 512 to 64KiB (default 64KiB)",
        HelpName = "SIZE",
        CustomParser = result => (int)CommonOptions.Size(result, VdiLimits.MinBlockSize, VdiLimits.MaxBlockSize),
    };

    private static readonly Option<int?> s_maxTransferSize = new("--maxtransfersize")
    {
        Description = "MAXTRANSFERSIZE: a multiple of 64KiB up to 4MiB (default 1MiB)",
        HelpName = "SIZE",
        CustomParser = result => (int)CommonOptions.Size(result, VdiLimits.TransferSizeUnit, VdiLimits.MaxTransferSize),
    };

    public static Command Create(CliTerminal terminal)
    {
        var command = new Command("backup", "Back a database up through virtual devices into stripe files")
        {
            CommonOptions.Database, s_to, CommonOptions.Devices, s_type, s_copyOnly, s_checksum, s_noChecksum,
            s_blockSize, s_maxTransferSize, CommonOptions.BufferCount, CommonOptions.Stats, CommonOptions.Timeout, CommonOptions.Faults,
        };
        CommonOptions.AddEngine(command);
        CommonOptions.AddVdiLibrary(command);
        command.Validators.Add(result =>
        {
            if (result.GetResult(s_checksum) is not null && result.GetResult(s_noChecksum) is not null)
            {
                result.AddError("--checksum and --no-checksum exclude each other");
            }
        });
        command.SetAction((parse, _) =>
        {
            var level = parse.GetValue(s_type) switch
            {
                "differential" => BackupLevel.Differential,
                "log" => BackupLevel.Log,
                _ => BackupLevel.Full,
            };
            int blockSize = parse.GetValue(s_blockSize) ?? (64 << 10);
            if (!int.IsPow2(blockSize))
            {
                throw new UsageException($"--blocksize must be a power of two, not {blockSize}");
            }

            int maxTransferSize = parse.GetValue(s_maxTransferSize) ?? (1 << 20);
            if (maxTransferSize % (64 << 10) != 0)
            {
                throw new UsageException($"--maxtransfersize must be a multiple of 64KiB, not {maxTransferSize}");
            }

            int stats = parse.GetValue(CommonOptions.Stats);
            var request = new BackupRequest
            {
                Database = parse.GetRequiredValue(CommonOptions.Database),
                Directory = parse.GetRequiredValue(s_to),
                Devices = parse.GetValue(CommonOptions.Devices) ?? 1,
                Level = level,
                CopyOnly = parse.GetValue(s_copyOnly),
                Checksum = !parse.GetValue(s_noChecksum),
                Transfer = new TransferOptions(blockSize, maxTransferSize, parse.GetValue(CommonOptions.BufferCount), stats == 0 ? null : stats),
            };
            string kind = level switch { BackupLevel.Differential => "a differential backup of", BackupLevel.Log => "the log of", _ => "database" };
            return ClientRun.ExecuteAsync(
                terminal,
                parse,
                "BACKUP",
                $"Backing up {kind} '{request.Database}' to {request.Directory} over {ClientRun.Plural(request.Devices, "device")}.",
                (application, cancel) => application.BackupAsync(request, cancel),
                _ => new ResultEvent { Database = request.Database, Directory = request.Directory, BackupType = level.ToString().ToLowerInvariant() });
        });
        return command;
    }
}
