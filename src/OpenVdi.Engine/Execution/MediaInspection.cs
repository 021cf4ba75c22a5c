using OpenVdi.Engine.Format;
using OpenVdi.Engine.Messages;
using OpenVdi.Engine.Statements;

namespace OpenVdi.Engine.Execution;

/// <summary>
/// RESTORE HEADERONLY | FILELISTONLY | LABELONLY … FROM VIRTUAL_DEVICE: reads each device only up to its backup-set
/// header (SQL Server reads the beginning of the media for these), then closes it, and answers with rows named as
/// SQL Server names its columns. Columns that describe SQL Server internals OpenVdi does not have (LSNs,
/// collations, versions) are left out rather than invented.
/// </summary>
internal static class MediaInspection
{
    /// <summary>msdb's device type of a virtual device.</summary>
    private const int VirtualDeviceType = 7;

    public static void Run(RestoreStatement statement, BufferMemoryBudget budget, EngineOptions engine, StatementRun run, CancellationToken cancellationToken)
    {
        using var devices = new StatementDevices(statement, engine, run, budget);
        var readers = devices.Names.Select(_ => new StripeReader(statement.BlockSize ?? 0)).ToArray();
        using var server = devices.Open(VdFeatures.VDF_ReadMedia, cancellationToken);
        if (server is null)
        {
            return;
        }

        var result = server.RunRestore(
            (device, data) =>
            {
                try
                {
                    readers[device].Consume(data);
                    return readers[device].SetHeader is null;
                }
                catch (Exception e) when (devices.Remember(e))
                {
                    throw;
                }
            },
            cancellationToken);
        if (!result.Succeeded)
        {
            devices.ReportFailure(result, writing: false);
            return;
        }

        var first = readers.FirstOrDefault(r => r.SetHeader is not null);
        if (first?.MediaHeader is not { } media || first.SetHeader is not { } set)
        {
            run.Fail(SqlMessages.MediaFamilyIncorrectlyFormed(devices.Names[0]), statement.OperationName);
            return;
        }

        run.Send(statement.Kind switch
        {
            RestoreKind.HeaderOnly => Header(set, engine),
            RestoreKind.FileListOnly => FileList(set),
            _ => Label(media),
        });
    }

    private static ResultSet Header(BackupSetHeader set, EngineOptions engine) => new(
        ["BackupName", "BackupDescription", "BackupType", "Compressed", "Position", "DeviceType", "ServerName", "DatabaseName",
         "BackupSize", "BackupStartDate", "BackupFinishDate", "MachineName", "HasBackupChecksums", "IsCopyOnly",
         "BackupTypeDescription", "BackupSetGUID", "MediaSetGUID", "BlockSize", "MaxTransferSize"],
        [[
            set.Name, set.Description, (int)set.Type, 0, 1, VirtualDeviceType, engine.Instance ?? Environment.MachineName, set.DatabaseName,
            set.TotalDataBytes, set.StartTime.UtcDateTime,

            // The finish time is in each stripe's trailer, at the end: a header-only read does not reach it.
            null,
            Environment.MachineName, set.PayloadChecksums, set.CopyOnly,
            set.Type switch { BackupType.Log => "Transaction Log", BackupType.Differential => "Database Differential", _ => "Database" },
            set.BackupSetId, set.MediaSetId, set.BlockSize, set.MaxTransferSize,
        ]]);

    private static ResultSet FileList(BackupSetHeader set) => new(
        ["LogicalName", "PhysicalName", "Type", "FileGroupName", "Size", "FileId", "BackupSizeInBytes", "SourceBlockSize", "IsReadOnly", "IsPresent"],
        [.. set.Files.Select((file, i) => (IReadOnlyList<object?>)
        [
            file.LogicalName, file.PhysicalPath, file.Type == DatabaseFileType.Log ? "L" : "D",
            file.Type == DatabaseFileType.Log ? null : "PRIMARY", file.Size, i + 1, file.Size, set.BlockSize, false, true,
        ])]);

    private static ResultSet Label(MediaHeader media) => new(
        ["MediaName", "MediaSetId", "FamilyCount", "FamilySequenceNumber", "MediaSequenceNumber", "MediaLabelPresent",
         "MediaDescription", "SoftwareName", "MediaDate", "MirrorCount", "IsCompressed", "BlockSize"],
        [[
            null, media.MediaSetId, media.FamilyCount, media.FamilyNumber, media.MediaSequence, 0,
            null, "OpenVdi", media.CreationTime.UtcDateTime, 1, 0, media.BlockSize,
        ]]);
}
