using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Faults;
using OpenVdi.Engine.Messages;
using OpenVdi.Engine.Statements;

namespace OpenVdi.Engine.Execution;

/// <summary>
/// The engine in-process: SQL Server's side of VDI for BACKUP and RESTORE statements. It parses a statement, opens
/// the client's virtual device set by name as the server, configures it from BLOCKSIZE / BUFFERCOUNT /
/// MAXTRANSFERSIZE, drives every device in parallel, and answers with SQL Server's messages: STATS progress, 4035 per
/// file and 3014 on success, the cause and 3013 on failure, rows for HEADERONLY / FILELISTONLY / LABELONLY.
/// Statements may run concurrently; a restore needs its database alone (3101 otherwise).
/// </summary>
public sealed class StatementEngine : IStatementEngine, IDatabaseAdministration
{
    private readonly EngineOptions _options;
    private readonly DatabaseLocks _locks = new();
    private readonly BufferMemoryBudget _buffers;

    /// <summary>Creates an engine over the databases in <see cref="EngineOptions.DataDirectory"/>.</summary>
    public StatementEngine(EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _buffers = new BufferMemoryBudget(options.BufferMemoryLimit);
        Catalogue = new DatabaseCatalogue(options.DataDirectory);
    }

    /// <summary>The engine's databases.</summary>
    public DatabaseCatalogue Catalogue { get; }

    /// <summary>The engine's options.</summary>
    public EngineOptions Options => _options;

    /// <inheritdoc/>
    public string DataDirectory => Catalogue.DataDirectory;

    /// <inheritdoc/>
    public IReadOnlyList<DatabaseSummary> ListDatabases()
    {
        if (!Directory.Exists(Catalogue.DataDirectory))
        {
            return [];
        }

        try
        {
            return [.. Catalogue.List().Select(DatabaseSummary.Of)];
        }
        catch (InvalidDataException e)
        {
            throw new IOException(e.Message, e);
        }
    }

    /// <inheritdoc/>
    public StatementOutcome DropDatabase(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var run = new StatementRun(sink: null);
        if (!DatabaseCatalogue.IsValidName(name) || !Catalogue.Exists(name))
        {
            run.Send(SqlMessages.CannotDropDatabaseNotFound(name));
            return run.Outcome();
        }

        using var lease = _locks.TryEnter(name, exclusive: true);
        if (lease is null)
        {
            run.Send(SqlMessages.CannotDropDatabaseInUse(name));
            return run.Outcome();
        }

        try
        {
            Catalogue.Drop(name);
        }
        catch (DatabaseNotFoundException)
        {
            run.Send(SqlMessages.CannotDropDatabaseNotFound(name));
        }

        return run.Outcome();
    }

    /// <inheritdoc/>
    public Task<StatementOutcome> ExecuteAsync(string statement, IStatementSink? sink = null, CancellationToken cancellationToken = default) =>
        ExecuteAsync(statement, FaultPlan.None, sink, cancellationToken);

    /// <inheritdoc/>
    public Task<StatementOutcome> ExecuteAsync(string statement, FaultPlan faults, IStatementSink? sink = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(faults);

        // A statement blocks on its devices for its whole length: it gets a thread of its own, not a pool thread.
        return Task.Factory.StartNew(() => Execute(statement, faults, sink, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Runs one statement on the calling thread (see <see cref="ExecuteAsync(string, IStatementSink?, CancellationToken)"/>).</summary>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    public StatementOutcome Execute(string statement, IStatementSink? sink = null, CancellationToken cancellationToken = default) =>
        Execute(statement, FaultPlan.None, sink, cancellationToken);

    /// <summary>
    /// Runs one statement on the calling thread with <paramref name="faults"/> on top of the engine's
    /// (see <see cref="ExecuteAsync(string, FaultPlan, IStatementSink?, CancellationToken)"/>).
    /// </summary>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    public StatementOutcome Execute(string statement, FaultPlan faults, IStatementSink? sink = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(faults);
        var options = faults.IsEmpty ? _options : _options with { Faults = _options.Faults.CombinedWith(faults) };
        var run = new StatementRun(sink);
        var parsed = StatementParser.Parse(statement);
        if (!parsed.Succeeded)
        {
            foreach (var message in parsed.Messages)
            {
                run.Send(message);
            }

            return run.Outcome();
        }

        try
        {
            switch (parsed.Statement)
            {
                case BackupStatement backup:
                    BackupOperation.Run(backup, Catalogue, _locks, _buffers, options, run, cancellationToken);
                    break;
                case RestoreStatement { Kind: RestoreKind.HeaderOnly or RestoreKind.FileListOnly or RestoreKind.LabelOnly } inspection:
                    MediaInspection.Run(inspection, _buffers, options, run, cancellationToken);
                    break;
                case RestoreStatement restore:
                    RestoreOperation.Run(restore, Catalogue, _locks, _buffers, options, run, cancellationToken);
                    break;
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            // The database's own files (a registered file deleted since, a manifest broken by hand): the user's to
            // fix, so a message that says what is wrong, not an engine fault.
            run.Fail(SqlMessages.DatabaseFilesUnusable(e.Message), parsed.Statement!.OperationName);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return run.Outcome();
    }
}
