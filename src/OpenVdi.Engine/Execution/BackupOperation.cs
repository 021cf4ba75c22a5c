using System.Diagnostics;
using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Format;
using OpenVdi.Engine.Messages;
using OpenVdi.Engine.Statements;

namespace OpenVdi.Engine.Execution;

/// <summary>
/// BACKUP DATABASE | LOG … TO VIRTUAL_DEVICE: reads the database's files once, consistently, into a media set of one
/// stripe per device, written in BLOCKSIZE-aligned transfers of up to MAXTRANSFERSIZE through BUFFERCOUNT shared
/// buffers, all devices in parallel.
/// </summary>
internal static class BackupOperation
{
    /// <summary>SQL Server counts pages of 8 KiB in its messages.</summary>
    public const int PageSize = 8192;

    public static void Run(BackupStatement statement, DatabaseCatalogue catalogue, DatabaseLocks locks, BufferMemoryBudget budget, EngineOptions engine, StatementRun run, CancellationToken cancellationToken)
    {
        string operation = statement.OperationName;
        if (!DatabaseCatalogue.IsValidName(statement.DatabaseName))
        {
            run.Fail(SqlMessages.InvalidDatabaseName(statement.DatabaseName), operation);
            return;
        }

        if (!catalogue.TryGet(statement.DatabaseName, out var database))
        {
            run.Fail(SqlMessages.DatabaseDoesNotExist(statement.DatabaseName), operation);
            return;
        }

        if (database.IsRestoring)
        {
            run.Fail(SqlMessages.DatabaseInMiddleOfRestore(database.Name), operation);
            return;
        }

        // A log backup holds the log files; a database without one has no log to back up (SIMPLE recovery).
        var files = statement.Kind == BackupKind.Log ? [.. database.Files.Where(f => f.Type == DatabaseFileType.Log)] : database.Files;
        if (files.Count == 0)
        {
            run.Fail(SqlMessages.LogBackupNotAllowedInSimpleRecovery(), operation);
            return;
        }

        using var lease = locks.TryEnter(database.Name, exclusive: false);
        if (lease is null)
        {
            run.Fail(SqlMessages.ExclusiveAccessNotObtained(), operation);
            return;
        }

        using var devices = new StatementDevices(statement, engine, run, budget);
        var clock = Stopwatch.StartNew();
        using var reader = DatabaseReader.Open(database.Directory, files);
        var header = new BackupSetHeader
        {
            BackupSetId = Guid.NewGuid(),
            MediaSetId = Guid.NewGuid(),
            DatabaseName = database.Name,
            Type = statement.Kind == BackupKind.Log ? BackupType.Log : statement.Differential ? BackupType.Differential : BackupType.Database,
            CopyOnly = statement.CopyOnly,
            PayloadChecksums = statement.Checksum ?? true,
            StartTime = engine.Time.GetUtcNow(),
            Name = statement.Name ?? string.Empty,
            Description = statement.Description ?? string.Empty,
            BlockSize = (int)devices.BlockSize,
            MaxTransferSize = (int)devices.MaxTransferSize,
            Files = reader.Files,
        };
        var writers = StripeWriter.CreateMediaSet(header, devices.Names.Count, reader, engine.Time);
        using var server = devices.Open(VdFeatures.VDF_WriteMedia, cancellationToken);
        if (server is null)
        {
            return;
        }

        var progress = new ProgressReport(run, reader.TotalBytes, statement.Stats);
        var result = server.RunBackup(
            (device, buffer) =>
            {
                try
                {
                    int produced = writers[device].WriteNext(buffer);
                    progress.Update(reader.BytesRead);
                    return produced;
                }
                catch (Exception e) when (devices.Remember(e))
                {
                    throw;
                }
            },
            cancellationToken);
        if (!result.Succeeded)
        {
            devices.ReportFailure(result, writing: true);
            return;
        }

        long pages = 0;
        foreach (var file in reader.Files)
        {
            long filePages = (file.Size + PageSize - 1) / PageSize;
            pages += filePages;
            run.Send(SqlMessages.ProcessedPages(filePages, database.Name, file.LogicalName, 1));
        }

        run.Send(SqlMessages.SuccessfullyProcessed(operation, pages, clock.Elapsed));
    }
}
