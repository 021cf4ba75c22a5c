namespace OpenVdi.Engine.Execution;

/// <summary>
/// Which statements use which database: backups share a database, a restore needs it alone. A statement that
/// cannot get its lock fails at once with 3101, as SQL Server's exclusive-access check does.
/// </summary>
internal sealed class DatabaseLocks
{
    private readonly Dictionary<string, int> _holders = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _lock = new();

    /// <summary>Takes the database shared (BACKUP) or exclusive (RESTORE); null when it is in use the other way.</summary>
    public IDisposable? TryEnter(string database, bool exclusive)
    {
        lock (_lock)
        {
            _holders.TryGetValue(database, out int holders);
            if (holders < 0 || (exclusive && holders > 0))
            {
                return null;
            }

            _holders[database] = exclusive ? -1 : holders + 1;
            return new Lease(this, database);
        }
    }

    private void Exit(string database)
    {
        lock (_lock)
        {
            int holders = _holders[database];
            if (holders <= 1)
            {
                _holders.Remove(database);
            }
            else
            {
                _holders[database] = holders - 1;
            }
        }
    }

    private sealed class Lease(DatabaseLocks owner, string database) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Exit(database);
            }
        }
    }
}
