using Microsoft.Data.SqlClient;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Messages;

namespace OpenVdi.Cli.SqlServer;

/// <summary>
/// Runs statements on SQL Server, or on the engine's TDS front door, the way SQL Server's own clients do: one
/// connection per statement with Microsoft.Data.SqlClient, no command timeout, every message delivered as it arrives
/// (<see cref="SqlConnection.FireInfoMessageEventOnUserErrors"/>, so that STATS progress is live and errors up to
/// severity 16 come as messages), result sets read from the data reader. The statement succeeded when it raised no
/// error, which is how a backup application decides, not from what its devices saw.
/// </summary>
internal sealed class SqlServerStatementEngine : IStatementEngine
{
    private readonly string _connectionString;

    /// <summary>An engine for the server of <paramref name="connectionString"/>.</summary>
    /// <exception cref="ArgumentException">The connection string does not parse (the message says which keyword).</exception>
    public SqlServerStatementEngine(string connectionString)
    {
        var builder = new SqlConnectionStringBuilder(connectionString);
        Server = builder.DataSource;
        _connectionString = builder.ConnectionString;
    }

    /// <summary>The server's address as the connection string names it (Data Source).</summary>
    public string Server { get; }

    /// <inheritdoc/>
    /// <exception cref="SqlServerUnreachableException">The connection or login failed, or the connection broke; the message says why.</exception>
    public async Task<StatementOutcome> ExecuteAsync(string statement, IStatementSink? sink = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(statement);
        var messages = new List<SqlMessage>();
        var resultSets = new List<ResultSet>();
        void Deliver(SqlError error)
        {
            var message = new SqlMessage(error.Number, error.Class, error.State, error.Message) { LineNumber = error.LineNumber };
            lock (messages)
            {
                messages.Add(message);
            }

            sink?.OnMessage(message);
        }

        await using var connection = new SqlConnection(_connectionString) { FireInfoMessageEventOnUserErrors = true };
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqlException e)
        {
            throw new SqlServerUnreachableException($"Could not log in to {Server}: {e.Message}", e);
        }

        // Attached after the login, whose messages (database and language changed) are not the statement's.
        connection.InfoMessage += (_, e) =>
        {
            foreach (SqlError error in e.Errors)
            {
                Deliver(error);
            }
        };

        await using var command = new SqlCommand(statement, connection) { CommandTimeout = 0 };
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            do
            {
                if (reader.FieldCount > 0)
                {
                    var resultSet = await ReadResultSetAsync(reader, cancellationToken).ConfigureAwait(false);
                    resultSets.Add(resultSet);
                    sink?.OnResultSet(resultSet);
                }
            }
            while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (SqlException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The statement was cancelled.", cancellationToken);
        }
        catch (SqlException e) when (e.Class > 16 && connection.State != System.Data.ConnectionState.Open)
        {
            throw new SqlServerUnreachableException($"The connection to {Server} broke: {e.Message}", e);
        }
        catch (SqlException e)
        {
            // Errors the server raised as an exception (severity 17 and up, or before the messages flowed): the outcome's too.
            foreach (SqlError error in e.Errors)
            {
                Deliver(error);
            }
        }

        lock (messages)
        {
            return new StatementOutcome { Succeeded = !messages.Exists(m => m.IsError), Messages = [.. messages], ResultSets = resultSets };
        }
    }

    private static async Task<ResultSet> ReadResultSetAsync(SqlDataReader reader, CancellationToken cancellationToken)
    {
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        var schema = await reader.GetColumnSchemaAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<IReadOnlyList<object?>>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = await reader.IsDBNullAsync(i, cancellationToken).ConfigureAwait(false) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return new ResultSet(columns, rows) { ColumnTypes = [.. schema.Select(SqlServerColumnTypes.From)] };
    }
}
