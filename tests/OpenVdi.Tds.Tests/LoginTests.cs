using Microsoft.Data.SqlClient;
using OpenVdi.Engine.Messages;
using OpenVdi.Engine.Tds;
using OpenVdi.Tds.Tests.Infrastructure;

namespace OpenVdi.Tds.Tests;

/// <summary>Logging in with Microsoft.Data.SqlClient: SQL logins only, TLS on by default, Encrypt=false only where allowed.</summary>
public sealed class LoginTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 120_000)]
    public async Task A_wrong_password_is_refused_with_18456_and_the_log_says_why()
    {
        await using var engine = TdsEngine.Start();
        await using var connection = new SqlConnection(engine.ConnectionString(password: "not-the-password"));

        var refused = await Assert.ThrowsAsync<SqlException>(() => connection.OpenAsync().WaitAsync(s_limit));

        Assert.Equal(SqlMessageNumbers.LoginFailed, refused.Number);
        Assert.Equal($"Login failed for user '{TdsEngine.Login}'.", refused.Errors[0].Message);
        Assert.Contains("wrong password", await engine.Log.WaitForAsync("login failed", s_limit), StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task An_unknown_login_is_refused_with_18456_like_a_wrong_password()
    {
        await using var engine = TdsEngine.Start();
        await using var connection = new SqlConnection(engine.ConnectionString(login: "sa"));

        var refused = await Assert.ThrowsAsync<SqlException>(() => connection.OpenAsync().WaitAsync(s_limit));

        Assert.Equal(SqlMessageNumbers.LoginFailed, refused.Number);
        Assert.Contains("no such login", await engine.Log.WaitForAsync("login failed for 'sa'", s_limit), StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Encrypt_true_with_a_trusted_certificate_runs_the_session_over_TLS()
    {
        await using var engine = TdsEngine.Start();
        await using var connection = new SqlConnection(engine.ConnectionString());

        await connection.OpenAsync().WaitAsync(s_limit);

        Assert.Equal("16.00.1000", connection.ServerVersion);
        Assert.Contains("encrypted (Tls12", await engine.Log.WaitForAsync("login 'backup'", s_limit), StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Encrypt_true_without_trusting_a_self_signed_certificate_fails_as_TLS_validation_should()
    {
        await using var engine = TdsEngine.Start();
        await using var connection = new SqlConnection(engine.ConnectionString(trust: false));

        var refused = await Assert.ThrowsAsync<SqlException>(() => connection.OpenAsync().WaitAsync(s_limit));

        Assert.Contains("certificate", refused.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact(Timeout = 120_000)]
    public async Task Encrypt_false_is_encrypted_all_the_same_where_the_engine_requires_encryption()
    {
        await using var engine = TdsEngine.Start();
        await using var connection = new SqlConnection(engine.ConnectionString(encrypt: false));

        await connection.OpenAsync().WaitAsync(s_limit);

        Assert.Contains("encrypted (Tls12", await engine.Log.WaitForAsync("login 'backup'", s_limit), StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Encrypt_false_leaves_the_session_unencrypted_after_the_login_where_the_engine_allows_it()
    {
        await using var engine = TdsEngine.Start(options => options with { AllowUnencrypted = true });
        await using var connection = new SqlConnection(engine.ConnectionString(encrypt: false));

        await connection.OpenAsync().WaitAsync(s_limit);
        await using var command = new SqlCommand("SET NOCOUNT ON", connection);
        await command.ExecuteNonQueryAsync().WaitAsync(s_limit);

        Assert.Contains("login encrypted only", await engine.Log.WaitForAsync("login 'backup'", s_limit), StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_login_for_a_database_the_engine_does_not_have_fails_with_4060()
    {
        await using var engine = TdsEngine.Start();
        var builder = new SqlConnectionStringBuilder(engine.ConnectionString()) { InitialCatalog = "nosuch" };
        await using var connection = new SqlConnection(builder.ConnectionString);

        var refused = await Assert.ThrowsAsync<SqlException>(() => connection.OpenAsync().WaitAsync(s_limit));

        Assert.Equal(SqlMessageNumbers.CannotOpenRequestedDatabase, refused.Number);
    }

    [Fact]
    public void A_TDS_server_without_a_login_refuses_to_start()
    {
        var refused = Assert.Throws<ArgumentException>(() => new TdsServer(
            new OpenVdi.Engine.Execution.StatementEngine(new OpenVdi.Engine.Execution.EngineOptions { DataDirectory = Path.GetTempPath() }),
            new TdsServerOptions { Endpoint = TdsEndpoint.Parse("0"), Logins = new TdsLogins() }));

        Assert.Contains("--tds-login", refused.Message, StringComparison.Ordinal);
    }
}
