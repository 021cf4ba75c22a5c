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

    // Each column with the type SQL Server documents for it (RESTORE HEADERONLY / FILELISTONLY / LABELONLY), so that
    // a TDS client reads the values back as it would from SQL Server. BlockSize and MaxTransferSize in HEADERONLY
    // are OpenVdi's additions.
    private static readonly (string Name, SqlColumnType Type)[] s_headerColumns =
    [
        ("BackupName", SqlColumnType.NVarChar(128)), ("BackupDescription", SqlColumnType.NVarChar(255)), ("BackupType", SqlColumnType.SmallInt),
        ("Compressed", SqlColumnType.TinyInt), ("Position", SqlColumnType.SmallInt), ("DeviceType", SqlColumnType.TinyInt),
        ("ServerName", SqlColumnType.NVarChar(128)), ("DatabaseName", SqlColumnType.NVarChar(128)), ("BackupSize", SqlColumnType.Numeric(20, 0)),
        ("BackupStartDate", SqlColumnType.DateTime), ("BackupFinishDate", SqlColumnType.DateTime), ("MachineName", SqlColumnType.NVarChar(128)),
        ("HasBackupChecksums", SqlColumnType.Bit), ("IsCopyOnly", SqlColumnType.Bit), ("BackupTypeDescription", SqlColumnType.NVarChar(60)),
        ("BackupSetGUID", SqlColumnType.UniqueIdentifier), ("MediaSetGUID", SqlColumnType.UniqueIdentifier), ("BlockSize", SqlColumnType.Int),
        ("MaxTransferSize", SqlColumnType.Int),
    ];

    private static readonly (string Name, SqlColumnType Type)[] s_fileListColumns =
    [
        ("LogicalName", SqlColumnType.NVarChar(128)), ("PhysicalName", SqlColumnType.NVarChar(260)), ("Type", SqlColumnType.Char(1)),
        ("FileGroupName", SqlColumnType.NVarChar(128)), ("Size", SqlColumnType.Numeric(20, 0)), ("FileId", SqlColumnType.BigInt),
        ("BackupSizeInBytes", SqlColumnType.BigInt), ("SourceBlockSize", SqlColumnType.Int), ("IsReadOnly", SqlColumnType.Bit),
        ("IsPresent", SqlColumnType.Bit),
    ];

    private static readonly (string Name, SqlColumnType Type)[] s_labelColumns =
    [
        ("MediaName", SqlColumnType.NVarChar(128)), ("MediaSetId", SqlColumnType.UniqueIdentifier), ("FamilyCount", SqlColumnType.Int),
        ("FamilySequenceNumber", SqlColumnType.Int), ("MediaSequenceNumber", SqlColumnType.Int), ("MediaLabelPresent", SqlColumnType.TinyInt),
        ("MediaDescription", SqlColumnType.NVarChar(255)), ("SoftwareName", SqlColumnType.NVarChar(128)), ("MediaDate", SqlColumnType.DateTime),
        ("MirrorCount", SqlColumnType.Int), ("IsCompressed", SqlColumnType.Bit), ("BlockSize", SqlColumnType.Int),
    ];

    private static ResultSet Header(BackupSetHeader set, EngineOptions engine) => Typed(s_headerColumns,
        [[
            set.Name, set.Description, (int)set.Type, 0, 1, VirtualDeviceType, engine.Instance ?? Environment.MachineName, set.DatabaseName,
            set.TotalDataBytes, set.StartTime.UtcDateTime,

            // The finish time is in each stripe's trailer, at the end: a header-only read does not reach it.
            null,
            Environment.MachineName, set.PayloadChecksums, set.CopyOnly,
            set.Type switch { BackupType.Log => "Transaction Log", BackupType.Differential => "Database Differential", _ => "Database" },
            set.BackupSetId, set.MediaSetId, set.BlockSize, set.MaxTransferSize,
        ]]);

    private static ResultSet FileList(BackupSetHeader set) => Typed(s_fileListColumns,
        [.. set.Files.Select((file, i) => (IReadOnlyList<object?>)
        [
            file.LogicalName, file.PhysicalPath, file.Type == DatabaseFileType.Log ? "L" : "D",
            file.Type == DatabaseFileType.Log ? null : "PRIMARY", file.Size, i + 1, file.Size, set.BlockSize, false, true,
        ])]);

    private static ResultSet Label(MediaHeader media) => Typed(s_labelColumns,
        [[
            null, media.MediaSetId, media.FamilyCount, media.FamilyNumber, media.MediaSequence, 0,
            null, "OpenVdi", media.CreationTime.UtcDateTime, 1, 0, media.BlockSize,
        ]]);

    private static ResultSet Typed((string Name, SqlColumnType Type)[] columns, IReadOnlyList<IReadOnlyList<object?>> rows) =>
        new([.. columns.Select(c => c.Name)], rows) { ColumnTypes = [.. columns.Select(c => c.Type)] };
}
