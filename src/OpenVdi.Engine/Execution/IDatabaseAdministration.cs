namespace OpenVdi.Engine.Execution;

/// <summary>
/// What an engine offers besides statements: its databases listed, and one dropped, with the same locks the
/// statements take (a database a BACKUP or RESTORE is using cannot be dropped). The daemon answers the
/// <c>status</c>, <c>listDatabases</c> and <c>dropDatabase</c> frames with it (docs/engine-protocol.md).
/// </summary>
public interface IDatabaseAdministration
{
    /// <summary>The directory that holds the databases.</summary>
    string DataDirectory { get; }

    /// <summary>Every database, ordered by name, with its files and their sizes.</summary>
    /// <returns>The databases.</returns>
    /// <exception cref="IOException">The data directory cannot be read, or a manifest is malformed.</exception>
    IReadOnlyList<DatabaseSummary> ListDatabases();

    /// <summary>
    /// Drops a database: its files inside its folder are deleted (files registered in place are left alone). Answers
    /// as SQL Server's DROP DATABASE: nothing on success, 3701 when there is no such database, 3702 while a statement
    /// uses it.
    /// </summary>
    /// <param name="name">The database.</param>
    /// <returns>The outcome, with its error message when it failed.</returns>
    StatementOutcome DropDatabase(string name);
}
