using OpenVdi.Cli.Client;
using OpenVdi.Cli.SqlServer;
using OpenVdi.Tds.Tests.Infrastructure;

namespace OpenVdi.Tds.Tests;

/// <summary>
/// Broken, hostile and idle connections: each is answered or closed, and none keeps the engine from serving the
/// others; a backup goes through while they come.
/// </summary>
public sealed class HostileClientTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(60);

    /// <summary>Streams no client sends, each named for the failure message.</summary>
    public static TheoryData<string> Kinds => [.. HostileStreams().Keys];

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Kinds))]
    public async Task A_malformed_stream_is_answered_or_closed_and_the_engine_serves_the_next_client(string kind)
    {
        await using var engine = TdsEngine.Start();
        using var raw = await RawTdsConnection.OpenAsync(engine.Port);

        await HostileStreams()[kind](raw);

        Assert.True(await raw.ClosedByServerWithinAsync(s_limit), $"The server kept a connection open after: {kind}.");
        await using var connection = new Microsoft.Data.SqlClient.SqlConnection(engine.ConnectionString());
        await connection.OpenAsync().WaitAsync(s_limit);
    }

    [Fact(Timeout = 240_000)]
    public async Task A_flood_of_malformed_packets_and_100_idle_connections_do_not_stop_a_backup()
    {
        await using var engine = TdsEngine.Start(options => options with { LoginTimeout = TimeSpan.FromMinutes(5) }, sampleSize: 16 << 20);
        var idle = new List<RawTdsConnection>();
        try
        {
            for (int i = 0; i < 100; i++)
            {
                idle.Add(await RawTdsConnection.OpenAsync(engine.Port));
            }

            var application = new BackupApplication(new SqlServerStatementEngine(engine.ConnectionString()));
            var backup = application.BackupAsync(TdsEngine.BackupOfSample(engine.Combine("backup"), devices: 2, stats: 10), CancellationToken.None);
            var streams = HostileStreams().Values.ToArray();
            int closed = 0;
            for (int round = 0; round < 20; round++)
            {
                var flood = streams.Select(async send =>
                {
                    using var raw = await RawTdsConnection.OpenAsync(engine.Port);
                    await send(raw);
                    return await raw.ClosedByServerWithinAsync(s_limit);
                });
                closed += (await Task.WhenAll(flood)).Count(c => c);
            }

            var result = await engine.Within(backup, s_limit, "The backup during the flood");

            Assert.True(result.Succeeded, result.Problem ?? result.Outcome?.FirstError?.Text);
            Assert.Equal(20 * streams.Length, closed);
            Assert.True(engine.Server.ActiveConnections >= 100, $"Only {engine.Server.ActiveConnections} connections are open: the idle ones were dropped.");
        }
        finally
        {
            idle.ForEach(c => c.Dispose());
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_connection_that_does_not_log_in_within_the_login_timeout_is_closed()
    {
        await using var engine = TdsEngine.Start(options => options with { LoginTimeout = TimeSpan.FromSeconds(1) });
        using var silent = await RawTdsConnection.OpenAsync(engine.Port);

        Assert.True(await silent.ClosedByServerWithinAsync(s_limit), "A silent connection stayed open past the login timeout.");
        await engine.Log.WaitForAsync("no login within 1 s", s_limit);
    }

    [Fact(Timeout = 120_000)]
    public async Task Connections_beyond_the_limit_are_closed_as_they_arrive()
    {
        await using var engine = TdsEngine.Start(options => options with { MaxConnections = 3 });
        var held = new List<RawTdsConnection>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                held.Add(await RawTdsConnection.OpenAsync(engine.Port));
            }

            await engine.Log.WaitForAsync("tds: listening", s_limit);
            using var fourth = await RawTdsConnection.OpenAsync(engine.Port);

            Assert.True(await fourth.ClosedByServerWithinAsync(s_limit), "A connection beyond the limit stayed open.");
            await engine.Log.WaitForAsync("the limit of 3 connections is reached", s_limit);
        }
        finally
        {
            held.ForEach(c => c.Dispose());
        }
    }

    private static Dictionary<string, Func<RawTdsConnection, Task>> HostileStreams()
    {
        var random = new Random(12);
        var garbage = new byte[4096];
        random.NextBytes(garbage);
        return new()
        {
            ["random bytes"] = raw => raw.SendAsync(garbage),
            ["a header whose length is shorter than a header"] = raw => raw.SendAsync(RawTdsConnection.Packet(0x12, 1, [], length: 3)),
            ["a header that promises more than comes, then the end"] = async raw =>
            {
                await raw.SendAsync(RawTdsConnection.Packet(0x12, 1, new byte[100], length: 30000));
                raw.EndSending();
            },
            ["a PRELOGIN option pointing past the message"] = raw => raw.SendAsync(RawTdsConnection.Packet(0x12, 1, [0x01, 0x7F, 0x00, 0x00, 0x01, 0xFF])),
            ["a PRELOGIN without its terminator"] = raw => raw.SendAsync(RawTdsConnection.Packet(0x12, 1, [0x01, 0x00, 0x05, 0x00, 0x01])),
            ["LOGIN7 before PRELOGIN"] = raw => raw.SendAsync(RawTdsConnection.Packet(0x10, 1, new byte[120])),
            ["TLS first (TDS 8)"] = raw => raw.SendAsync([0x16, 0x03, 0x01, 0x00, 0x2E, .. new byte[0x2E]]),
            ["an endless PRELOGIN"] = async raw =>
            {
                for (int i = 0; i < 20; i++)
                {
                    await raw.SendAsync(RawTdsConnection.Packet(0x12, 0, new byte[4000]));
                }
            },
            ["garbage where the TLS handshake belongs"] = async raw =>
            {
                await raw.SendAsync(RawTdsConnection.PreLogin(encryption: 1));
                await raw.SendAsync(RawTdsConnection.Packet(0x12, 1, garbage.AsSpan(0, 300)));
            },
            ["a client that cannot encrypt"] = raw => raw.SendAsync(RawTdsConnection.PreLogin(encryption: 2)),
        };
    }
}
