using Microsoft.Data.SqlClient;
using OpenVdi.Tds.Tests.Infrastructure;
using OpenVdi.Testing;

namespace OpenVdi.Tds.Tests;

/// <summary>ATTENTION: SqlCommand.Cancel ends the statement at once, even while the engine waits for the virtual device set.</summary>
public sealed class CancelTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 120_000)]
    public async Task Cancel_while_the_engine_waits_for_the_device_set_returns_promptly_and_the_connection_goes_on()
    {
        // The engine would wait ten minutes for a set nobody creates: only the cancel can end the statement in time.
        await using var engine = TdsEngine.Start(setOpenTimeout: TimeSpan.FromMinutes(10));
        await using var connection = new SqlConnection(engine.ConnectionString());
        await connection.OpenAsync().WaitAsync(s_limit);
        await using var backup = new SqlCommand("BACKUP DATABASE [sales] TO VIRTUAL_DEVICE = N'nobody-creates-this-set'", connection) { CommandTimeout = 0 };

        var running = backup.ExecuteNonQueryAsync();
        await engine.Log.WaitForAsync("backup: BACKUP DATABASE [sales]", s_limit);
        backup.Cancel();
        var cancelled = await Within.Await(
            Assert.ThrowsAsync<SqlException>(() => running),
            s_limit,
            "The statement did not end after SqlCommand.Cancel: the engine went on waiting for the set.");

        Assert.Contains("Operation cancelled by user", cancelled.Message, StringComparison.Ordinal);
        await engine.Log.WaitForAsync("attention: cancelling the request", s_limit);
        await using var next = new SqlCommand("SET NOCOUNT ON", connection);
        await next.ExecuteNonQueryAsync().WaitAsync(s_limit);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_cancelled_token_cancels_the_statement_through_SqlClient()
    {
        await using var engine = TdsEngine.Start(setOpenTimeout: TimeSpan.FromMinutes(10));
        var sqlClient = new OpenVdi.Cli.SqlServer.SqlServerStatementEngine(engine.ConnectionString());
        using var cancel = new CancellationTokenSource();

        var running = sqlClient.ExecuteAsync("RESTORE VERIFYONLY FROM VIRTUAL_DEVICE = N'nobody-creates-this-set'", null, cancel.Token);
        await engine.Log.WaitForAsync("backup: RESTORE VERIFYONLY", s_limit);
        await cancel.CancelAsync();

        await Within.Await(
            Assert.ThrowsAnyAsync<OperationCanceledException>(() => running),
            s_limit,
            "The statement did not end after its token was cancelled.");
        await engine.Log.WaitForAsync("cancelled (", s_limit);
    }
}
