using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Faults;

namespace OpenVdi.Cli.Client;

/// <summary>
/// The backup application: BACKUP to, and RESTORE / VERIFYONLY / HEADERONLY from, a directory of stripe files,
/// through a virtual device set this process creates and serves, with the statement run by an
/// <see cref="IStatementEngine"/> (the daemon's <c>EngineClient</c>, or an engine in this process).
/// </summary>
internal sealed class BackupApplication
{
    private readonly IStatementEngine _engine;
    private readonly IStatementSink? _sink;
    private readonly VirtualDeviceSetOptions? _setOptions;
    private readonly FaultPlan _faults;

    /// <param name="engine">Runs the statements.</param>
    /// <param name="sink">Receives each statement's messages and result sets as they come.</param>
    /// <param name="setOptions">Options of the sets this application creates.</param>
    /// <param name="faults">Faults the engine injects into every statement this application sends (none when null).</param>
    public BackupApplication(IStatementEngine engine, IStatementSink? sink = null, VirtualDeviceSetOptions? setOptions = null, FaultPlan? faults = null)
    {
        _engine = engine;
        _sink = sink;
        _setOptions = setOptions;
        _faults = faults ?? FaultPlan.None;
    }

    /// <summary>
    /// Wraps each stripe file's stream as a backup opens it: a test seam for what the file system can do to a write
    /// (a disk that fills up). Null (the default) writes to the files directly.
    /// </summary>
    internal Func<Stream, Stream>? StripeStreamFilter { get; init; }

    /// <summary>
    /// Backs <paramref name="database"/> up into <paramref name="directory"/> over <paramref name="devices"/> devices:
    /// one stripe file per device, written under temporary names and renamed into place only once the statement
    /// succeeded; on any failure they are deleted.
    /// </summary>
    public async Task<OperationResult> BackupAsync(string database, string directory, int devices, TransferOptions options, bool checksum, CancellationToken cancellationToken)
    {
        BackupStripes stripes;
        try
        {
            stripes = StripeFiles.CreateForBackup(directory, devices, StripeStreamFilter);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new OperationResult { Succeeded = false, Problem = e.Message };
        }

        using (stripes)
        {
            var session = await RunAsync(
                new SessionRequest
                {
                    Engine = _engine,
                    Sink = _sink,
                    DeviceCount = devices,
                    Statement = names => StatementText.Backup(database, names, options, checksum),
                    Direction = VdFeatures.VDF_WriteMedia,
                    Handler = i => new BackupDeviceHandler(stripes[i]),
                    SetOptions = _setOptions,
                    Faults = _faults,
                },
                cancellationToken).ConfigureAwait(false);
            long bytes = stripes.TotalBytes;
            if (session.Problem is not null || !session.Result!.Succeeded)
            {
                stripes.Abandon();
                return Report(session, bytes, []) with { RemovedOrphans = stripes.RemovedOrphans };
            }

            try
            {
                stripes.Commit();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Report(session, bytes, []) with
                {
                    RemovedOrphans = stripes.RemovedOrphans,
                    Succeeded = false,
                    Problem = $"The engine completed the backup, but its files could not be put in place, so none were kept: {e.Message}",
                };
            }

            return Report(session, bytes, stripes.FinalPaths) with { RemovedOrphans = stripes.RemovedOrphans };
        }
    }

    /// <summary>Restores the backup in <paramref name="directory"/> as <paramref name="database"/>.</summary>
    public Task<OperationResult> RestoreAsync(string directory, string database, bool replace, IReadOnlyList<(string Logical, string Path)> moves, int? stats, CancellationToken cancellationToken) =>
        ReadAsync(directory, stats, (names, options) => StatementText.RestoreDatabase(database, names, options, replace, moves), cancellationToken);

    /// <summary>Checks the backup in <paramref name="directory"/> (RESTORE VERIFYONLY).</summary>
    public Task<OperationResult> VerifyAsync(string directory, int? stats, CancellationToken cancellationToken) =>
        ReadAsync(directory, stats, StatementText.Verify, cancellationToken);

    /// <summary>Lists the backup sets in <paramref name="directory"/> (RESTORE HEADERONLY); the result set goes to the sink.</summary>
    public Task<OperationResult> HeaderOnlyAsync(string directory, CancellationToken cancellationToken) =>
        ReadAsync(directory, null, StatementText.HeaderOnly, cancellationToken);

    private async Task<OperationResult> ReadAsync(string directory, int? stats, Func<IReadOnlyList<string>, TransferOptions, string> statement, CancellationToken cancellationToken)
    {
        RestoreStripes stripes;
        try
        {
            stripes = StripeFiles.OpenForRestore(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new OperationResult { Succeeded = false, Problem = e.Message };
        }

        using (stripes)
        {
            // RESTORE must use the BLOCKSIZE the backup was written with; the stripes say which.
            var geometry = StripeProbe.Read(stripes[0]);
            var options = new TransferOptions(geometry?.BlockSize, geometry?.MaxTransferSize, Stats: stats);
            var session = await RunAsync(
                new SessionRequest
                {
                    Engine = _engine,
                    Sink = _sink,
                    DeviceCount = stripes.Count,
                    Statement = names => statement(names, options),
                    Direction = VdFeatures.VDF_ReadMedia,
                    Handler = i => new RestoreDeviceHandler(stripes[i]),
                    SetOptions = _setOptions,
                    Faults = _faults,
                },
                cancellationToken).ConfigureAwait(false);
            return Report(session, stripes.BytesRead, stripes.Paths);
        }
    }

    private static async Task<(SessionResult? Result, string? Problem)> RunAsync(SessionRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return (await DeviceSession.RunAsync(request, cancellationToken).ConfigureAwait(false), null);
        }
        catch (VdiException e)
        {
            return (null, $"The virtual device set could not be created: {e.Message}");
        }
    }

    private static OperationResult Report((SessionResult? Result, string? Problem) session, long bytes, IReadOnlyList<string> files)
    {
        if (session.Result is not { } result)
        {
            return new OperationResult { Succeeded = false, Problem = session.Problem };
        }

        string? problem = result.EngineFailure is { } failure ? failure.Message
            : result.Cancelled ? "Cancelled."
            : result.DeviceFailures.FirstOrDefault(f => f is not null);
        return new OperationResult
        {
            Succeeded = result.Succeeded,
            Outcome = result.Outcome,
            Problem = problem,
            Bytes = bytes,
            Elapsed = result.Elapsed,
            Files = files,
            SetName = result.SetName,
        };
    }
}
