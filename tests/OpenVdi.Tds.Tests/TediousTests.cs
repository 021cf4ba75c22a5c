using OpenVdi.Cli.Client;
using OpenVdi.Engine.Messages;
using OpenVdi.Tds.Tests.Infrastructure;

namespace OpenVdi.Tds.Tests;

/// <summary>
/// tedious, SQL Server's Node.js driver (tests/tds-clients, installed with npm ci), against the TDS port: its login
/// (with the SET batch it sends after it), execSqlBatch and execSql (RPC sp_executesql), serving a real backup
/// application whose devices this process serves.
/// </summary>
public sealed class TediousTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(120);

    [Fact(Timeout = 300_000)]
    public async Task A_backup_through_execSqlBatch_and_a_restore_through_execSql_give_back_the_same_bytes()
    {
        await using var engine = TdsEngine.Start();
        var sink = new RecordingSink();
        string backup = engine.Combine("backup");

        var backedUp = await new BackupApplication(new TediousStatementEngine(engine, rpc: false), sink)
            .BackupAsync(TdsEngine.BackupOfSample(backup, devices: 2, stats: 25), CancellationToken.None).WaitAsync(s_limit);
        var restored = await new BackupApplication(new TediousStatementEngine(engine, rpc: true), sink)
            .RestoreAsync(new RestoreRequest { Directory = backup, Database = "sales_copy" }, CancellationToken.None).WaitAsync(s_limit);

        Assert.True(backedUp.Succeeded, backedUp.Problem ?? backedUp.Outcome?.FirstError?.Text);
        Assert.True(restored.Succeeded, restored.Problem ?? restored.Outcome?.FirstError?.Text);
        Assert.Equal(["25 percent processed.", "50 percent processed.", "75 percent processed.", "100 percent processed."], backedUp.Outcome!.Messages.Where(m => m.Number == SqlMessageNumbers.PercentProcessed).Select(m => m.Text));
        Assert.Equal(SqlMessageNumbers.SuccessfullyProcessed, restored.Outcome!.Messages[^1].Number);
        var (_, difference) = FileComparison.Compare(engine.Sample, engine.Engine.Catalogue.Get("sales_copy"));
        Assert.Null(difference);
        Assert.Contains("'Tedious'", await engine.Log.WaitForAsync("login 'backup'", s_limit), StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task HEADERONLY_rows_reach_tedious_with_SQL_Server_s_types()
    {
        await using var engine = TdsEngine.Start();
        string backup = engine.Combine("backup");
        var tedious = new TediousStatementEngine(engine, rpc: false);
        var sink = new RecordingSink();
        Assert.True((await new BackupApplication(tedious).BackupAsync(TdsEngine.BackupOfSample(backup) with { Checksum = false }, CancellationToken.None).WaitAsync(s_limit)).Succeeded);

        var listed = await new BackupApplication(tedious, sink).InspectAsync(InspectionKind.HeaderOnly, backup, CancellationToken.None).WaitAsync(s_limit);

        Assert.True(listed.Succeeded, listed.Problem);
        var header = Assert.Single(sink.ResultSets);
        Assert.Equal(TdsEngine.SampleDatabase, header.Value(0, "DatabaseName"));
        var types = header.Columns.Zip(tedious.LastColumnTypes).ToDictionary(c => c.First, c => c.Second);
        Assert.Equal("NVarChar", types["DatabaseName"]);
        Assert.Equal("IntN", types["BackupType"]);
        Assert.Equal("NumericN", types["BackupSize"]);
        Assert.Equal("DateTimeN", types["BackupStartDate"]);
        Assert.Equal("UniqueIdentifier", types["BackupSetGUID"]);
    }

    [Fact(Timeout = 300_000)]
    public async Task ExecSql_binds_its_parameters_and_gets_3013_with_its_cause()
    {
        await using var engine = TdsEngine.Start();
        var tedious = new TediousStatementEngine(engine, rpc: true)
        {
            Parameters = [("db", "NVarChar", "nosuch"), ("device", "NVarChar", "nobody"), ("stats", "Int", 5)],
        };

        var outcome = await tedious.ExecuteAsync("BACKUP DATABASE @db TO VIRTUAL_DEVICE = @device WITH STATS = @stats").WaitAsync(s_limit);

        Assert.False(outcome.Succeeded);
        Assert.Equal([SqlMessageNumbers.DatabaseDoesNotExist, SqlMessageNumbers.TerminatingAbnormally], outcome.Messages.Select(m => m.Number));
        Assert.Contains("'nosuch'", outcome.Messages[0].Text, StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task A_wrong_password_fails_tedious_s_login()
    {
        await using var engine = TdsEngine.Start();

        var refused = await Assert.ThrowsAsync<TediousConnectException>(() => new TediousStatementEngine(engine, rpc: false, password: "wrong").ExecuteAsync("SET NOCOUNT ON").WaitAsync(s_limit));

        Assert.Equal($"Login failed for user '{TdsEngine.Login}'.", refused.Message);
    }

    [Fact(Timeout = 300_000)]
    public async Task Tedious_without_encryption_is_refused_where_the_engine_requires_it_and_served_where_it_allows_it()
    {
        await using var strict = TdsEngine.Start();
        await using var lenient = TdsEngine.Start(options => options with { AllowUnencrypted = true });

        var refused = await Assert.ThrowsAsync<TediousConnectException>(() => new TediousStatementEngine(strict, rpc: false, encrypt: false).ExecuteAsync("SET NOCOUNT ON").WaitAsync(s_limit));
        var served = await new TediousStatementEngine(lenient, rpc: false, encrypt: false).ExecuteAsync("SET NOCOUNT ON").WaitAsync(s_limit);

        Assert.Contains("requires encryption", refused.Message, StringComparison.Ordinal);
        Assert.True(served.Succeeded);
        Assert.Contains("unencrypted", await lenient.Log.WaitForAsync("login 'backup'", s_limit), StringComparison.Ordinal);
    }
}
