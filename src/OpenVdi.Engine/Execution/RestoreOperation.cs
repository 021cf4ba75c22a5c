using System.Diagnostics;
using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Format;
using OpenVdi.Engine.Messages;
using OpenVdi.Engine.Statements;

namespace OpenVdi.Engine.Execution;

/// <summary>
/// RESTORE DATABASE | LOG and RESTORE VERIFYONLY … FROM VIRTUAL_DEVICE: reads every stripe on its device, in any
/// device order, checks every header, block and trailer, and (for a restore) writes the files under temporary names,
/// moved into place only when the whole media set was read and checked.
/// </summary>
internal static class RestoreOperation
{
    public static void Run(RestoreStatement statement, DatabaseCatalogue catalogue, DatabaseLocks locks, BufferMemoryBudget budget, EngineOptions engine, StatementRun run, CancellationToken cancellationToken)
    {
        string operation = statement.OperationName;
        bool verify = statement.Kind == RestoreKind.VerifyOnly;
        string? target = statement.DatabaseName;
        using var lease = target is null ? null : locks.TryEnter(target, exclusive: true);
        if (target is not null && lease is null)
        {
            run.Fail(SqlMessages.ExclusiveAccessNotObtained(), operation);
            return;
        }

        if (target is not null && !DatabaseCatalogue.IsValidName(target))
        {
            run.Fail(SqlMessages.InvalidDatabaseName(target), operation);
            return;
        }

        using var devices = new StatementDevices(statement, engine, run, budget);
        var clock = Stopwatch.StartNew();
        DatabaseWriter? writer = null;
        var options = new DatabaseWriterOptions
        {
            Replace = statement.Replace,
            Moves = statement.Moves.ToDictionary(m => m.LogicalName, m => m.PhysicalName, StringComparer.OrdinalIgnoreCase),
        };
        var assembler = new MediaSetAssembler(
            verify ? null : header => writer = CheckedBeginRestore(catalogue, statement, devices.Names[0], header, options),
            statement.BlockSize ?? 0);
        var stripes = devices.Names.Select(_ => assembler.OpenStripe()).ToArray();
        try
        {
            using var server = devices.Open(VdFeatures.VDF_ReadMedia, cancellationToken);
            if (server is null)
            {
                return;
            }

            long total = 0;
            var progress = new ProgressReport(run, 1, statement.Stats);
            var result = server.RunRestore(
                (device, data) =>
                {
                    try
                    {
                        return Consume(stripes[device], data);
                    }
                    catch (Exception e) when (devices.Remember(e, device))
                    {
                        throw;
                    }
                },
                cancellationToken);

            bool Consume(MediaSetStripe stripe, ReadOnlySpan<byte> data)
            {
                stripe.Consume(data);
                devices.FamilyCount ??= stripe.MediaHeader?.FamilyCount;
                if (total == 0 && assembler.SetHeader is { } set)
                {
                    // WITH CHECKSUM asks for a backup that has them: SQL Server refuses one without (3187).
                    if (statement.Checksum == true && !set.PayloadChecksums)
                    {
                        throw new RestoreRefusedException(SqlMessages.ChecksumNotInBackupSet());
                    }

                    total = Math.Max(1, set.TotalDataBytes);
                    progress = new ProgressReport(run, total, statement.Stats);
                }

                progress.Update(assembler.PayloadBytes);
                return !stripe.IsComplete;
            }

            if (!result.Succeeded)
            {
                devices.ReportFailure(result, writing: false);
                return;
            }

            MediaSetSummary summary;
            int checking = -1;
            try
            {
                for (checking = 0; checking < stripes.Length; checking++)
                {
                    stripes[checking].Complete();
                }

                checking = -1;
                summary = assembler.Complete();
            }
            catch (BackupStreamException e)
            {
                run.Fail(devices.StreamFailure(e, checking), operation);
                return;
            }

            if (verify)
            {
                run.Send(SqlMessages.BackupSetValid(1));
                return;
            }

            writer!.Commit();
            long pages = 0;
            foreach (var file in summary.SetHeader.Files)
            {
                long filePages = (file.Size + BackupOperation.PageSize - 1) / BackupOperation.PageSize;
                pages += filePages;
                run.Send(SqlMessages.ProcessedPages(filePages, target!, file.LogicalName, 1));
            }

            run.Send(SqlMessages.SuccessfullyProcessed(operation, pages, clock.Elapsed));
        }
        finally
        {
            writer?.Dispose();
        }
    }

    /// <summary>
    /// Starts writing the database once the stream said what it holds, refusing what SQL Server refuses: a log backup
    /// for RESTORE DATABASE and a database backup for RESTORE LOG (3135); RESTORE LOG or a differential onto a database
    /// that is not restoring (3117); a MOVE of a logical file the set does not have (3234); over an existing, online
    /// database without REPLACE, 3154 when the backup is of another database, 3159 when it is of this one. NORECOVERY
    /// leaves the database restoring.
    /// </summary>
    private static DatabaseWriter CheckedBeginRestore(DatabaseCatalogue catalogue, RestoreStatement statement, string file, BackupSetHeader header, DatabaseWriterOptions options)
    {
        string target = statement.DatabaseName!;
        bool logRestore = statement.Kind == RestoreKind.Log;
        if (logRestore != (header.Type == BackupType.Log))
        {
            throw new RestoreRefusedException(SqlMessages.BackupSetWrongKind(file, header.Type == BackupType.Log ? "BACKUP LOG" : "BACKUP DATABASE"));
        }

        foreach (string logical in options.Moves.Keys)
        {
            if (!header.Files.Any(f => string.Equals(f.LogicalName, logical, StringComparison.OrdinalIgnoreCase)))
            {
                throw new RestoreRefusedException(SqlMessages.LogicalFileNotInDatabase(logical, header.DatabaseName));
            }
        }

        catalogue.TryGet(target, out var existing);
        bool rollForward = logRestore || header.Type == BackupType.Differential;
        if (rollForward && existing is not { IsRestoring: true })
        {
            throw new RestoreRefusedException(SqlMessages.NoFilesReadyToRollForward());
        }

        if (!rollForward && !options.Replace && existing is { IsRestoring: false })
        {
            var refusal = string.Equals(existing.Name, header.DatabaseName, StringComparison.OrdinalIgnoreCase)
                ? SqlMessages.TailOfLogNotBackedUp(existing.Name)
                : SqlMessages.BackupSetHoldsOtherDatabase(existing.Name);
            throw new RestoreRefusedException(refusal);
        }

        return catalogue.BeginRestore(target, header, options, rollForward, leaveRestoring: statement.Recovery == false);
    }
}
