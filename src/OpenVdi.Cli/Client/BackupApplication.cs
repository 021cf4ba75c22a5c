using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Faults;
using OpenVdi.Engine.Format;

namespace OpenVdi.Cli.Client;

/// <summary>
/// The backup application: BACKUP to, and RESTORE / VERIFYONLY / HEADERONLY / FILELISTONLY / LABELONLY from, a
/// directory of stripe files, through a virtual device set this process creates and serves, with the statement run
/// by an <see cref="IStatementEngine"/> (the daemon's <c>EngineClient</c>, or an engine in this process). The
/// commands of <c>vdi</c> call it; so can a test.
/// </summary>
internal sealed class BackupApplication
{
    private readonly IStatementEngine _engine;
    private readonly IStatementSink? _sink;
    private readonly FaultPlan _faults;

    /// <param name="engine">Runs the statements.</param>
    /// <param name="sink">Receives each statement's messages and result sets as they come.</param>
    /// <param name="faults">Faults the engine injects into every statement this application sends (none when null).</param>
    public BackupApplication(IStatementEngine engine, IStatementSink? sink = null, FaultPlan? faults = null)
    {
        _engine = engine;
        _sink = sink;
        _faults = faults ?? FaultPlan.None;
    }

    /// <summary>
    /// Wraps each stripe file's stream as a backup opens it: a test seam for what the file system can do to a write
    /// (a disk that fills up). Null (the default) writes to the files directly.
    /// </summary>
    internal Func<Stream, Stream>? StripeStreamFilter { get; init; }

    /// <summary>Whose VDI library makes the sets: OpenVdi's (the default), or Microsoft's, which a real SQL Server needs.</summary>
    public VdiLibrary Library { get; init; } = VdiLibrary.OpenVdi;

    /// <summary>Where Microsoft's library is, and OpenVdi's transport options; null for the defaults.</summary>
    public VdiLibraryOptions? LibraryOptions { get; init; }

    /// <summary>Told when each transfer starts and ends (a progress display); null for no one.</summary>
    public ITransferObserver? Observer { get; init; }

    /// <summary>How long the engine may take to configure the devices, and to send the next command (see <see cref="SessionRequest.Timeout"/>).</summary>
    public TimeSpan Timeout { get; init; } = System.Threading.Timeout.InfiniteTimeSpan;

    /// <summary>
    /// Backs a database up into a directory: one stripe file per device, written under temporary names and renamed
    /// into place only once the statement succeeded; on any failure they are deleted.
    /// </summary>
    public async Task<OperationResult> BackupAsync(BackupRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        BackupStripes stripes;
        try
        {
            stripes = StripeFiles.CreateForBackup(request.Directory, request.Devices, StripeStreamFilter);
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
                    DeviceCount = request.Devices,
                    Statement = names => StatementText.Backup(request, names),
                    Direction = VdFeatures.VDF_WriteMedia,
                    Stripe = i => stripes[i],
                    StripeNames = [.. stripes.FinalPaths.Select(Path.GetFileName).Select(name => name!)],
                    Monitor = new TransferMonitor("backup", () => stripes.TotalBytes),
                    Observer = Observer,
                    Timeout = Timeout,
                    Library = Library,
                    LibraryOptions = LibraryOptions,
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

    /// <summary>Restores the backup in a directory as a database: RESTORE LOG for a log backup, RESTORE DATABASE otherwise.</summary>
    public Task<OperationResult> RestoreAsync(RestoreRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ReadAsync("restore", request.Directory, new TransferOptions(BufferCount: request.BufferCount, Stats: request.Stats), (names, options, geometry) => StatementText.Restore(request, names, options, geometry?.Type), cancellationToken);
    }

    /// <summary>
    /// Checks the backup in <paramref name="directory"/> (RESTORE VERIFYONLY); with <paramref name="requireChecksum"/>,
    /// refuses one without checksums; <paramref name="bufferCount"/> is its BUFFERCOUNT (null: the engine's choice).
    /// </summary>
    public Task<OperationResult> VerifyAsync(string directory, int? stats, CancellationToken cancellationToken, bool requireChecksum = false, int? bufferCount = null) =>
        ReadAsync("verify", directory, new TransferOptions(BufferCount: bufferCount, Stats: stats), (names, options, _) => StatementText.Verify(names, options, requireChecksum), cancellationToken);

    /// <summary>RESTORE HEADERONLY, FILELISTONLY or LABELONLY of the backup in <paramref name="directory"/>; the rows go to the sink.</summary>
    public Task<OperationResult> InspectAsync(InspectionKind kind, string directory, CancellationToken cancellationToken) =>
        ReadAsync(kind.ToString().ToLowerInvariant(), directory, new TransferOptions(), (names, options, _) => StatementText.Inspect(kind, names, options), cancellationToken);

    /// <param name="operation">What reads the stripes, for the progress display.</param>
    /// <param name="directory">The backup directory.</param>
    /// <param name="asked">BUFFERCOUNT and STATS as asked; the block and transfer size come from the stripes.</param>
    /// <param name="statement">The statement, given the device names, the options and what the stripes said.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    private async Task<OperationResult> ReadAsync(string operation, string directory, TransferOptions asked, Func<IReadOnlyList<string>, TransferOptions, StripeGeometry?, string> statement, CancellationToken cancellationToken)
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
            var options = asked with { BlockSize = geometry?.BlockSize, MaxTransferSize = geometry?.MaxTransferSize };
            var session = await RunAsync(
                new SessionRequest
                {
                    Engine = _engine,
                    Sink = _sink,
                    DeviceCount = stripes.Count,
                    Statement = names => statement(names, options, geometry),
                    Direction = VdFeatures.VDF_ReadMedia,
                    Stripe = i => stripes[i],
                    StripeNames = [.. stripes.Paths.Select(Path.GetFileName).Select(name => name!)],
                    Monitor = new TransferMonitor(operation, () => stripes.BytesRead, stripes.TotalBytes),
                    Observer = Observer,
                    Timeout = Timeout,
                    Library = Library,
                    LibraryOptions = LibraryOptions,
                    Faults = _faults,
                },
                cancellationToken).ConfigureAwait(false);
            return Report(session, stripes.BytesRead, stripes.Paths) with { BackupType = geometry?.Type };
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
        catch (VdiLibraryLoadException e)
        {
            return (null, e.Message);
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
            EngineFailure = result.EngineFailure,
            Cancelled = result.Cancelled,
            Bytes = bytes,
            Elapsed = result.Elapsed,
            Files = files,
            SetName = result.SetName,
        };
    }
}
