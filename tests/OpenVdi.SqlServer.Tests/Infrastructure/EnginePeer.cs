using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.FrontDoor;
using OpenVdi.Testing;

namespace OpenVdi.SqlServer.Tests.Infrastructure;

/// <summary>
/// The engine daemon (what <c>vdi engine serve</c> runs) in a process of its own, playing SQL Server: it runs the
/// BACKUP and RESTORE statements a test sends over its socket, against a sample database made before it starts.
/// </summary>
public sealed class EnginePeer : IAsyncLifetime
{
    /// <summary>The sample database every streaming test backs up.</summary>
    public const string Database = "sales";

    private readonly string _work = Directory.CreateTempSubdirectory("openvdi-binding-engine-").FullName;
    private PeerProcess? _peer;

    public string DataDirectory => Path.Combine(_work, "data");

    private string Socket => Path.Combine(_work, "engine.sock");

    /// <summary>The sample database as it was made.</summary>
    public DatabaseInfo Original { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Original = SampleDatabase.Create(DataDirectory, Database, 6L << 20, seed: 11);
        _peer = BindingFixture.StartPeer(new Dictionary<string, string?>(), "engine", DataDirectory, Socket);
        await _peer.WaitForLineAsync("listening");
    }

    public async Task DisposeAsync()
    {
        if (_peer is not null)
        {
            _peer.CloseInput();
            await _peer.WaitForLineAsync("stopped");
            await _peer.WaitForExitAsync();
            _peer.Dispose();
        }

        Directory.Delete(_work, recursive: true);
    }

    /// <summary>Runs <paramref name="statement"/> in the daemon; its outcome, or a failed test after <paramref name="limit"/>.</summary>
    public Task<StatementOutcome> ExecuteAsync(string statement, TimeSpan limit) =>
        Within.Await(new EngineClient(Socket).ExecuteAsync(statement), limit, $"The engine did not finish '{statement}' within {limit.TotalSeconds:0} s.");

    /// <summary>A database of the engine, as it is now.</summary>
    public DatabaseInfo Get(string name) => new DatabaseCatalogue(DataDirectory).Get(name);
}
