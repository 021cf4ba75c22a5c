using OpenVdi.Engine.Faults;

namespace OpenVdi.Engine.Execution;

/// <summary>
/// Runs BACKUP and RESTORE statements the way SQL Server does, answering with SQL Server's messages. The
/// in-process engine and the daemon's client both implement it, so a caller does not care where the engine runs.
/// </summary>
public interface IStatementEngine
{
    /// <summary>
    /// Parses and runs one statement. Messages (STATS progress, 3014 on success, the cause and 3013 on failure) and
    /// result sets (HEADERONLY, FILELISTONLY, LABELONLY) reach <paramref name="sink"/> as they happen, and are also
    /// collected in the outcome. A bad statement is an outcome with its error message, not an exception.
    /// </summary>
    /// <exception cref="OperationCanceledException">The caller cancelled; the statement's virtual device set was aborted.</exception>
    Task<StatementOutcome> ExecuteAsync(string statement, IStatementSink? sink = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs one statement as <see cref="ExecuteAsync(string, IStatementSink?, CancellationToken)"/> does, with
    /// <paramref name="faults"/> injected into its devices on top of the engine's own plan (a fault set here
    /// replaces the engine's fault of the same kind). An engine that cannot inject faults runs a statement with no
    /// faults and refuses one with faults.
    /// </summary>
    /// <exception cref="NotSupportedException">This engine does not inject faults per statement.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled; the statement's virtual device set was aborted.</exception>
    Task<StatementOutcome> ExecuteAsync(string statement, FaultPlan faults, IStatementSink? sink = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(faults);
        return faults.IsEmpty
            ? ExecuteAsync(statement, sink, cancellationToken)
            : throw new NotSupportedException($"{GetType().Name} does not inject faults per statement.");
    }
}
