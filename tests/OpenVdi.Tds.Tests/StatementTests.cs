using System.Data;
using Microsoft.Data.SqlClient;
using OpenVdi.Engine.Messages;
using OpenVdi.Tds.Tests.Infrastructure;

namespace OpenVdi.Tds.Tests;

/// <summary>Statements over SqlClient that need no device set: errors as SQL Server raises them, and a connection that stays usable.</summary>
public sealed class StatementTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 120_000)]
    public async Task A_backup_of_a_database_that_does_not_exist_raises_3013_with_its_cause_and_the_connection_goes_on()
    {
        await using var engine = TdsEngine.Start();
        await using var connection = new SqlConnection(engine.ConnectionString());
        await connection.OpenAsync().WaitAsync(s_limit);

        await using var backup = new SqlCommand("BACKUP DATABASE [nosuch] TO VIRTUAL_DEVICE = N'nobody'", connection);
        var failed = await Assert.ThrowsAsync<SqlException>(() => backup.ExecuteNonQueryAsync().WaitAsync(s_limit));

        var errors = failed.Errors.Cast<SqlError>().ToList();
        Assert.Equal([SqlMessageNumbers.DatabaseDoesNotExist, SqlMessageNumbers.TerminatingAbnormally], errors.Select(e => e.Number));
        Assert.Equal("Database 'nosuch' does not exist. Make sure that the name is entered correctly.", errors[0].Message);
        Assert.Equal("BACKUP DATABASE is terminating abnormally.", errors[1].Message);
        Assert.All(errors, e => Assert.Equal(16, e.Class));

        await using var next = new SqlCommand("SET NOCOUNT ON", connection);
        await next.ExecuteNonQueryAsync().WaitAsync(s_limit);
        Assert.Equal(ConnectionState.Open, connection.State);
    }

    [Fact(Timeout = 120_000)]
    public async Task Errors_up_to_severity_16_come_as_live_messages_with_FireInfoMessageEventOnUserErrors()
    {
        await using var engine = TdsEngine.Start();
        await using var connection = new SqlConnection(engine.ConnectionString()) { FireInfoMessageEventOnUserErrors = true };
        await connection.OpenAsync().WaitAsync(s_limit);
        var numbers = new List<int>();
        connection.InfoMessage += (_, e) => numbers.AddRange(e.Errors.Cast<SqlError>().Select(error => error.Number));

        await using var backup = new SqlCommand("BACKUP DATABASE [nosuch] TO VIRTUAL_DEVICE = N'nobody'", connection);
        await backup.ExecuteNonQueryAsync().WaitAsync(s_limit);

        Assert.Equal([SqlMessageNumbers.DatabaseDoesNotExist, SqlMessageNumbers.TerminatingAbnormally], numbers);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_SELECT_gets_an_error_and_the_connection_stays_usable()
    {
        await using var engine = TdsEngine.Start();
        await using var connection = new SqlConnection(engine.ConnectionString());
        await connection.OpenAsync().WaitAsync(s_limit);

        await using var select = new SqlCommand("SELECT name FROM sys.databases", connection);
        var failed = await Assert.ThrowsAsync<SqlException>(() => select.ExecuteReaderAsync().WaitAsync(s_limit));

        Assert.Equal(SqlMessageNumbers.NotSupportedByEngine, failed.Number);
        await using var next = new SqlCommand("SET XACT_ABORT ON; SET NOCOUNT ON", connection);
        await next.ExecuteNonQueryAsync().WaitAsync(s_limit);
    }

    [Fact(Timeout = 120_000)]
    public async Task USE_changes_to_a_database_the_engine_has_and_refuses_one_it_does_not_with_911()
    {
        await using var engine = TdsEngine.Start();
        await using var connection = new SqlConnection(engine.ConnectionString());
        await connection.OpenAsync().WaitAsync(s_limit);

        await using var use = new SqlCommand($"USE [{TdsEngine.SampleDatabase}]", connection);
        await use.ExecuteNonQueryAsync().WaitAsync(s_limit);
        Assert.Equal(TdsEngine.SampleDatabase, connection.Database);

        await using var wrong = new SqlCommand("USE nosuch", connection);
        var failed = await Assert.ThrowsAsync<SqlException>(() => wrong.ExecuteNonQueryAsync().WaitAsync(s_limit));
        Assert.Equal(SqlMessageNumbers.DatabaseDoesNotExist, failed.Number);
        Assert.Equal(TdsEngine.SampleDatabase, connection.Database);
    }

    [Fact(Timeout = 120_000)]
    public async Task An_RPC_to_a_procedure_other_than_sp_executesql_fails_with_2812()
    {
        await using var engine = TdsEngine.Start();
        await using var connection = new SqlConnection(engine.ConnectionString());
        await connection.OpenAsync().WaitAsync(s_limit);

        await using var procedure = new SqlCommand("sp_who", connection) { CommandType = CommandType.StoredProcedure };
        var failed = await Assert.ThrowsAsync<SqlException>(() => procedure.ExecuteNonQueryAsync().WaitAsync(s_limit));

        Assert.Equal(SqlMessageNumbers.StoredProcedureNotFound, failed.Number);
    }

    [Fact(Timeout = 120_000)]
    public async Task Parameters_of_sp_executesql_are_bound_into_the_statement()
    {
        await using var engine = TdsEngine.Start();
        await using var connection = new SqlConnection(engine.ConnectionString());
        await connection.OpenAsync().WaitAsync(s_limit);

        // With parameters, SqlClient sends RPC sp_executesql; the engine puts the values in place of the variables.
        await using var backup = new SqlCommand("BACKUP DATABASE @db TO VIRTUAL_DEVICE = @device WITH STATS = @stats", connection);
        backup.Parameters.AddWithValue("@db", "no'such");
        backup.Parameters.AddWithValue("@device", "nobody");
        backup.Parameters.AddWithValue("@stats", 10);
        var failed = await Assert.ThrowsAsync<SqlException>(() => backup.ExecuteNonQueryAsync().WaitAsync(s_limit));

        // The quote survives binding; the engine then refuses the name (its databases are folders: docs/engine.md).
        Assert.Equal(SqlMessageNumbers.InvalidDatabaseName, failed.Number);
        Assert.Contains("'no'such' is not a valid database name", failed.Message, StringComparison.Ordinal);
        Assert.Contains("BACKUP DATABASE [no'such] TO VIRTUAL_DEVICE = N'nobody' WITH STATS = 10", await engine.Log.WaitForAsync("BACKUP DATABASE [no'such]", s_limit), StringComparison.Ordinal);
    }
}
